package dev.cortex.messaging;

import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * What a messaging step does on its consumer's own thread besides its work: send an exchange to an endpoint and wait
 * for it (the chain, a reply), and rest between tries. Both keep the request's transaction / offset on that thread.
 */
final class ConsumerThread {

    private final CamelContext context;
    private volatile ProducerTemplate template;

    ConsumerThread(CamelContext context) {
        this.context = context;
    }

    /** Sends and waits; any failure is left on the exchange. */
    void send(String endpointUri, Exchange exchange) {
        template().send(endpointUri, exchange);
    }

    /** Rests; false when interrupted, which means Cortex is stopping. */
    static boolean rest(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                t = template;
                if (t == null) {
                    t = context.createProducerTemplate(); // on first use: the context is started by then
                    template = t;
                }
            }
        }
        return t;
    }
}
