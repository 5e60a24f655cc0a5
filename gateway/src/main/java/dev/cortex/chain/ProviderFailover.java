package dev.cortex.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.EndpointAware;
import org.apache.camel.Exchange;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
import org.apache.camel.processor.loadbalancer.LoadBalancerSupport;
import org.apache.camel.support.ExchangeHelper;

import dev.cortex.chat.ChatContext;
import dev.cortex.failure.BadRequestException;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.failure.ProviderFailure;
import dev.cortex.provider.ModelDemand;

/**
 * The chain's load balancer: tries the providers listed under it in routes/chain.camel.yaml one after another until
 * one answers, like Camel's failover balancer, with two differences. The order can change per request (the listed
 * order is the default; a {@link ChainPlanner} may reorder or narrow it), and it stops early only when the caller has
 * gone: whatever one provider refuses, the next may serve.
 */
public final class ProviderFailover extends LoadBalancerSupport {

    private final ChainPlanner planner;
    private volatile List<String> listed;

    public ProviderFailover(ChainPlanner planner) {
        this.planner = planner;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        AsyncProcessor[] steps = doGetProcessors();
        List<String> names = listedNames(steps);
        ChatContext chat = exchange.getMessage().getBody(ChatContext.class);
        RoutePlan plan;
        try {
            plan = planner.planFor(names, chat.preference(), ModelDemand.of(chat), chat.policy());
            chat.route(plan.toHeader());
            Optional<String> unservable = plan.unservable();
            if (unservable.isPresent()) {
                // valid, but nothing configured can do it: a 400 the caller can act on, not a 503 to retry, and no
                // provider's health is touched
                throw new BadRequestException(
                        400,
                        null,
                        BadRequestException.CAPABILITY_UNAVAILABLE,
                        "No configured provider has a model that can serve this request (" + unservable.get() + ").");
            }
        } catch (RuntimeException badPreference) {
            exchange.setException(badPreference);
            callback.done(true);
            return true;
        }
        chat.plan(plan.providers());
        Exception last = null;
        for (int index : plan.positions()) {
            if (chat.client().gone()) {
                last = new ClientGoneException(); // nobody to answer: ask no one else
                break;
            }
            Exchange attempt = ExchangeHelper.createCopy(exchange, true);
            try {
                steps[index].process(attempt); // a provider's route blocks only until its commit point
            } catch (Exception e) {
                attempt.setException(e);
            }
            Exception failure = attempt.getException();
            if (failure == null) {
                ExchangeHelper.copyResults(exchange, attempt);
                callback.done(true);
                return true;
            }
            last = failure;
            if (!ChainVerdict.noAnswer(failure)) { // a caller who left, or a bug: stop here
                break;
            }
        }
        exchange.setException(
                last != null
                        ? last
                        : new ProviderFailure("chain", "no_provider", null, null)); // nothing to try for this request
        callback.done(true);
        return true;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        planner.chainListed(listedNames(doGetProcessors())); // what GET /api/route explains
    }

    /** The provider each step sends to ({@code to: direct:groq} → groq), in the order the YAML lists them. */
    private List<String> listedNames(AsyncProcessor[] steps) {
        List<String> names = listed;
        if (names == null || names.size() != steps.length) {
            names = new ArrayList<>(steps.length);
            for (AsyncProcessor step : steps) {
                names.add(destination(step));
            }
            listed = List.copyOf(names);
        }
        return names;
    }

    private static String destination(Processor step) {
        if (step instanceof EndpointAware aware) {
            String uri = aware.getEndpoint().getEndpointUri();
            return uri.substring(uri.lastIndexOf('/') + 1).replaceFirst("\\?.*", "");
        }
        if (step instanceof Navigate<?> navigate && navigate.hasNext()) {
            for (Object next : navigate.next()) {
                if (next instanceof Processor p) {
                    String name = destination(p);
                    if (name != null) {
                        return name;
                    }
                }
            }
        }
        return null;
    }
}
