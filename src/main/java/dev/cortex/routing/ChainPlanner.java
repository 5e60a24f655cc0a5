package dev.cortex.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides, for one request, in which order the chain's providers are tried. The chain's YAML lists the default
 * order; the plan is a list of positions in that list.
 */
public final class ChainPlanner {

    public List<Integer> plan(List<String> listed, ChatContext chat) {
        List<Integer> order = new ArrayList<>(listed.size());
        for (int i = 0; i < listed.size(); i++) {
            order.add(i);
        }
        return order;
    }
}
