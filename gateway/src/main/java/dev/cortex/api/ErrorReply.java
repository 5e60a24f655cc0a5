package dev.cortex.api;

import java.time.Instant;
import java.util.Optional;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chain.ChainVerdict;
import dev.cortex.chat.AttemptTrail;
import dev.cortex.chat.ChatContext;
import dev.cortex.failure.AccessRefusedException;
import dev.cortex.failure.BadRequestException;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.failure.LimitExceededException;
import dev.cortex.limits.LimitStoreUnavailableException;

/**
 * Turns whatever stopped a request into an honest HTTP error in the caller's API shape: 400 for a bad request; 401 /
 * 403 for a caller without a key or outside its key's policy; when
 * no provider answered, what {@link ChainVerdict} decides from the attempt trail (a 4xx every provider agreed on, a
 * pinned provider's 502/503/504, or 503 with every provider's reason — never a key — and {@code Retry-After} when a
 * provider's rest has a known end); 429 for a key over one of its limits (with {@code Retry-After} and the
 * {@code x-ratelimit-*} headers); 499 for a caller that left; 500 for a bug.
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
        ErrorBodies shape = api != null
                ? api.errors()
                : ErrorBodies.forPath(exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class));
        Object body = exchange.getMessage().getBody();
        AttemptTrail trail = body instanceof ChatContext chat ? chat.trail() : null;

        Message out = exchange.getMessage();
        out.removeHeaders("*");
        int status;
        ErrorBodies.Rendered rendered;
        if (cause instanceof BadRequestException bad) {
            status = bad.status();
            rendered = shape.render(status, bad.code(), bad.getMessage(), bad.param());
        } else if (cause instanceof AccessRefusedException refused) {
            status = refused.status();
            rendered = shape.render(status, refused.code(), refused.getMessage());
            if (status == 403) {
                // a key's policy at work, or a client set up wrong: worth a line (the message names the key, never it)
                LOG.info("Refused: {}", refused.getMessage());
            }
            if (status == 401) {
                out.setHeader("WWW-Authenticate", AccessCheck.CHALLENGE);
            }
        } else if (cause instanceof LimitExceededException limited) {
            status = 429;
            rendered = shape.render(status, limited.type(), limited.code(), limited.getMessage(), null);
            LimitReplies.headers(limited).forEach(out::setHeader);
        } else if (cause instanceof LimitStoreUnavailableException unavailable) {
            status = 503; // cortex.limits.when-store-unreachable = refuse: no limit is known, so nothing is admitted
            rendered = shape.render(status, "limits_unavailable", unavailable.getMessage());
            out.setHeader("Retry-After", 1);
        } else if (trail != null && ChainVerdict.noAnswer(cause)) {
            ChainVerdict verdict =
                    ChainVerdict.of(trail, ((ChatContext) body).preference().pinned());
            status = verdict.status();
            rendered = shape.render(status, verdict.code(), verdict.message());
            Optional<Long> retryAfter = verdict.retryAfterSeconds(Instant.now());
            if (retryAfter.isPresent()) {
                out.setHeader("Retry-After", retryAfter.get());
            } else if (status >= 500) {
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
            out.setHeader(ReplyHeaders.ATTEMPTS, ReplyHeaders.safe(trail.toString()));
        }
        if (body instanceof ChatContext chat) {
            if (chat.route() != null) {
                out.setHeader(ReplyHeaders.ROUTE, ReplyHeaders.safe(chat.route()));
            }
            chat.ended(Integer.toString(status), null);
        }
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, rendered.contentType());
        out.setBody(rendered.bytes());
    }
}
