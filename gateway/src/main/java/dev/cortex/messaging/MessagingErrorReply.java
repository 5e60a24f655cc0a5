package dev.cortex.messaging;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.api.ErrorBodies;

/**
 * The reply to a request that was not answered: the OpenAI error body ({@code {"error":{"message","type","param",
 * "code"}}}) that {@code /v1/chat/completions} would have sent, with the status, error code, attempt trail and,
 * when a retry can succeed (every provider cooling down, the key over a per-minute limit), the seconds until then,
 * as message properties; a 429 for a key over its limits carries the key's rate limits too. Never a key.
 */
public final class MessagingErrorReply implements Processor {

    private final Transport transport;

    public MessagingErrorReply(Transport transport) {
        this.transport = transport;
    }

    @Override
    public void process(Exchange exchange) {
        MessagingFailure.Failure failure =
                exchange.getProperty(MessagingProperties.FAILURE, MessagingFailure.Failure.class);
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        transport.address(exchange, out);
        out.setHeader(MessagingHeaders.STATUS, Integer.toString(failure.status()));
        out.setHeader(MessagingHeaders.ERROR_CODE, failure.code());
        if (!failure.attempts().isEmpty()) {
            out.setHeader(MessagingHeaders.ATTEMPTS, failure.attempts());
        }
        if (failure.retryAfterSeconds() != null) {
            out.setHeader(
                    MessagingHeaders.RETRY_AFTER, failure.retryAfterSeconds().toString());
        }
        MessagingReply.rateLimits(failure.limitHeaders(), out);
        out.setBody(transport.body(ErrorBodies.OPENAI
                .render(failure.status(), failure.code(), failure.message(), failure.param())
                .bytes()));
    }
}
