package dev.cortex.api;

import dev.cortex.chat.BadRequestException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.StringJoiner;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.provider.ClientGoneException;
import dev.cortex.routing.AttemptTrail;
import dev.cortex.routing.ChatContext;
import dev.cortex.routing.ProviderFailure;
import dev.cortex.routing.RequestRejectedException;

/**
 * Turns whatever stopped a request into an honest HTTP error in the caller's API shape: 400 for a bad request, the
 * provider's 4xx when the request itself was refused, 503 when every provider refused (each one's reason, never a
 * key, with {@code Retry-After} when all of them are cooling down), 500 for a bug.
 */
public final class ErrorReply implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorReply.class);

    @Override
    public void process(Exchange exchange) {
        HttpMessage http = exchange.getIn(HttpMessage.class);
        if (http != null && http.getResponse().headWritten()) {
            return; // a stream already owns the response and has ended it in-band
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ChatApi api = exchange.getProperty(ChatRequestReader.API, ChatApi.class);
        ErrorBodies shape = api != null ? api.errors()
                : ErrorBodies.forPath(exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class));
        Object body = exchange.getMessage().getBody();
        AttemptTrail trail = body instanceof ChatContext chat ? chat.trail() : null;

        Message out = exchange.getMessage();
        out.removeHeaders("*");
        int status;
        ErrorBodies.Rendered rendered;
        if (cause instanceof BadRequestException bad) {
            status = bad.status();
            rendered = shape.render(status, "invalid_request", bad.getMessage(), bad.param());
        } else if (cause instanceof RequestRejectedException rejected) {
            status = rejected.status();
            rendered = shape.render(status, "rejected_by_provider",
                    "The provider '" + rejected.provider() + "' rejected the request: " + rejected.getMessage());
        } else if (cause instanceof ProviderFailure || cause instanceof CallNotPermittedException
                || cause instanceof BulkheadFullException) {
            // a pinned provider answers with its own status (a 429 stays a 429); a chain that ran out says 503
            status = body instanceof ChatContext chat && chat.preference().pinned() ? pinnedStatus(trail) : 503;
            rendered = shape.render(status, status == 503 ? "all_providers_failed" : "provider_failed", exhausted(trail));
            Optional<Instant> retryAt = trail == null ? Optional.empty() : trail.retryAt();
            if (retryAt.isPresent()) {
                long seconds = Math.max(1, Duration.between(Instant.now(), retryAt.get()).toSeconds() + 1);
                out.setHeader("Retry-After", seconds);
            } else {
                out.setHeader("x-should-retry", "false"); // Cortex already tried every provider
            }
        } else if (cause instanceof ClientGoneException) {
            status = 499;
            rendered = shape.render(status, "client_closed_request", "The client closed the connection.");
        } else {
            LOG.error("Unexpected failure serving a request", cause);
            status = 500;
            rendered = shape.render(status, "internal_error", "Cortex failed to serve this request; see its log.");
        }
        if (trail != null) {
            out.setHeader(ReplyHeaders.ATTEMPTS, trail.toString());
        }
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, rendered.contentType());
        out.setBody(rendered.bytes());
    }

    private static int pinnedStatus(AttemptTrail trail) {
        for (AttemptTrail.Entry e : trail.entries()) {
            if (e.shown() && e.outcome().matches("[45]\\d\\d")) {
                return Integer.parseInt(e.outcome());
            }
            if (e.shown() && e.outcome().equals("quota")) {
                return 429;
            }
        }
        return 503;
    }

    /** The 503 message: every provider's reason, in chain order (never a key). */
    public static String exhausted(AttemptTrail trail) {
        if (trail == null || trail.entries().isEmpty()) {
            return "No provider could answer: none is enabled.";
        }
        StringJoiner reasons = new StringJoiner("; ");
        for (AttemptTrail.Entry e : trail.entries()) {
            String why = e.failureClass() == null ? e.outcome()
                    : e.outcome() + " (" + e.failureClass().name().toLowerCase() + ")";
            reasons.add(e.provider() + ": " + why);
        }
        return "No provider could answer. " + reasons;
    }
}
