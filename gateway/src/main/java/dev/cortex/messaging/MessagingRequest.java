package dev.cortex.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.access.Caller;
import dev.cortex.access.GatewayAccess;
import dev.cortex.api.BoundedJsonReader;
import dev.cortex.api.ChatApi;
import dev.cortex.api.KeyCeilings;
import dev.cortex.api.RoutePreferences;
import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.ChatContext;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.RoutePreference;
import dev.cortex.failure.AccessRefusedException;
import dev.cortex.failure.BadRequestException;

/**
 * First step of a messaging front door: reads a request message into a {@link ChatContext} (the exchange body from
 * here on), the same JSON as {@code POST /v1/chat/completions} without streaming. It keeps the request as it came
 * (for the dead-letter queue), its reply address, correlation id and deadline.
 *
 * <p>A request that cannot be served as sent fails with {@link BadRequestException} (it goes to the dead-letter
 * queue): invalid JSON or fields, a body over the structure limits ({@link BoundedJsonReader}), {@code stream: true},
 * no (valid) reply address, an unreadable deadline. A request whose deadline has passed fails with
 * {@link DeadlineExceededException}, before any provider sees it.
 *
 * <p>A request may carry its caller's gateway key ({@link MessagingHeaders#API_KEY}): it is served under that key's
 * policy (its providers, models, {@code max_tokens} ceiling and default strategy), and the route's {@code keyLimits}
 * step holds it to the key's limits. A key Cortex does not know fails with {@link AccessRefusedException} (401). A
 * request without one runs as {@link Caller#OPEN} — the broker's own authentication guards the queue — unless
 * {@code cortex.messaging.keys-required} says every request must carry a key. The key is taken off the message as
 * soon as it is read, so no later step (a reply, a dead letter, a log) can see it.
 */
public final class MessagingRequest implements Processor {

    private final Transport transport;
    private final ChatApi api;
    private final BoundedJsonReader json;
    private final Clock clock;
    private final GatewayAccess access;
    private final boolean keysRequired;

    /** @param keysRequired {@code cortex.messaging.keys-required}: whether a request without a gateway key is refused */
    public MessagingRequest(
            Transport transport,
            ChatApi api,
            BoundedJsonReader json,
            Clock clock,
            GatewayAccess access,
            boolean keysRequired) {
        this.transport = transport;
        this.api = api;
        this.json = json;
        this.clock = clock;
        this.access = access;
        this.keysRequired = keysRequired;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        exchange.setProperty(MessagingProperties.TAKEN_AT, clock.instant());
        Message in = exchange.getMessage();
        // the key leaves the message first, so that no later step, whatever fails, can copy or log it
        String key = Transport.text(in.getHeader(MessagingHeaders.API_KEY));
        in.removeHeader(MessagingHeaders.API_KEY);
        String replyTo = transport.replyTo(in);
        String badReplyTo = replyTo == null ? null : transport.invalidReplyTo(replyTo);
        exchange.setProperty(MessagingProperties.REPLY_TO, badReplyTo == null ? replyTo : null);
        exchange.setProperty(MessagingProperties.CORRELATION_ID, transport.correlationId(in));
        transport.prepare(exchange);
        // the reply address first: a body of a kind Cortex does not read still gets its error reply
        Object body = transport.requestBody(in);
        exchange.setProperty(MessagingProperties.REQUEST, body);
        if (badReplyTo != null) {
            throw new BadRequestException(
                    MessagingHeaders.REPLY_TO, badReplyTo); // no reply can go there: dead letter only
        }
        Caller caller = caller(key);
        exchange.setProperty(Caller.PROPERTY, caller);

        JsonNode tree = json.read(bytes(body));
        ChatRequest request = api.parse(tree);
        if (request.stream()) {
            throw new BadRequestException(
                    "stream",
                    "Streaming is not available over " + transport
                            + ": leave \"stream\" out (or false); the complete answer comes back as one reply.");
        }
        if (replyTo == null) {
            throw new BadRequestException(
                    null,
                    transport == Transport.JMS
                            ? "The request has no JMSReplyTo: Cortex would have nowhere to send the answer."
                            : "The request has no " + MessagingHeaders.REPLY_TO
                                    + " header: Cortex would have nowhere to send the answer.");
        }
        Instant deadline = earliest(deadline(in), transport.expiry(in));
        exchange.setProperty(MessagingProperties.DEADLINE, deadline);
        if (deadline != null && !clock.instant().isBefore(deadline)) {
            throw DeadlineExceededException.unsent(deadline);
        }
        AccessPolicy policy = caller.policy();
        request = KeyCeilings.apply(request, policy); // 403 over the key's max_tokens ceiling
        // the body's "strategy" / "provider" / "providers" steer the chain as they do over HTTP
        RoutePreference preference = RoutePreferences.from(tree, null, null, null);
        if (preference.strategy() == null && policy.strategy() != null) {
            preference = new RoutePreference(policy.strategy(), preference.providers()); // the key's default
        }
        ChatContext chat = new ChatContext(request, null, preference);
        chat.restrictTo(policy);
        in.setBody(chat);
    }

    /** Who sent the request, from its gateway key (null when it carried none). */
    private Caller caller(String key) {
        if (key != null) {
            return access.identifyKey(key);
        }
        if (keysRequired) {
            throw AccessRefusedException.unauthenticated("This gateway needs a Cortex gateway key on every request:"
                    + " send it in the " + MessagingHeaders.API_KEY + " "
                    + (transport == Transport.JMS ? "property." : "header."));
        }
        return Caller.OPEN; // the broker's own authentication is what guards the queue
    }

    private static Instant deadline(Message in) {
        String value = Transport.text(in.getHeader(MessagingHeaders.DEADLINE));
        if (value == null) {
            return null;
        }
        try {
            return value.chars().allMatch(Character::isDigit)
                    ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value);
        } catch (NumberFormatException | DateTimeException e) {
            throw new BadRequestException(
                    MessagingHeaders.DEADLINE,
                    "The " + MessagingHeaders.DEADLINE
                            + " header must be epoch milliseconds or an ISO-8601 instant such as 2030-01-01T12:00:00Z.");
        }
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    private static byte[] bytes(Object body) {
        if (body == null) {
            return null;
        }
        if (body instanceof byte[] b) {
            return b;
        }
        if (body instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        throw new BadRequestException(
                null,
                "The request body must be JSON text (a JMS TextMessage or BytesMessage), not "
                        + body.getClass().getSimpleName() + ".");
    }
}
