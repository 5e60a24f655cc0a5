package dev.cortex.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.EndpointAware;
import org.apache.camel.Exchange;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
import org.apache.camel.processor.loadbalancer.LoadBalancerSupport;

import dev.cortex.chat.ChatContext;
import dev.cortex.failure.BadRequestException;
import dev.cortex.provider.ModelDemand;

/**
 * The chain's load balancer: tries the providers listed under it in routes/chain.camel.yaml one after another until
 * one answers, like Camel's failover balancer, with three differences. The order can change per request (the listed
 * order is the default; a {@link ChainPlanner} may reorder or narrow it); it stops early only when the caller has
 * gone: whatever one provider refuses, the next may serve; and no thread waits for a provider. A provider's route
 * returns as soon as its call is under way ({@link ChatContext#callUnderWay}); the chain goes on when that call
 * settles, answered or not ({@link ChainRun}), and a request waiting on a provider holds memory, not a thread. A
 * hedged request ({@link Hedging}) may have the next provider asked beside a late one.
 */
public final class ProviderFailover extends LoadBalancerSupport {

    private final ChainPlanner planner;
    private final Hedging hedging;
    private final Executor workers;
    private volatile List<String> listed;

    /**
     * @param hedging when a late provider is joined by the next one
     * @param workers where the next provider is asked after one failed: off the event loop that saw the failure, since
     *     asking may block (a local model that has to load first)
     */
    public ProviderFailover(ChainPlanner planner, Hedging hedging, Executor workers) {
        this.planner = planner;
        this.hedging = hedging;
        this.workers = workers;
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
        ChainRun run = new ChainRun(exchange, callback, steps, names, plan, chat, hedging, workers);
        if (run.start()) {
            callback.done(true);
            return true;
        }
        return false; // a call is under way: the run calls back when it settles
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
