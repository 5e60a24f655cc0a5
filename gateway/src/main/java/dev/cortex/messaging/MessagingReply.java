package dev.cortex.messaging;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.api.ChatApi;
import dev.cortex.chat.ChatContext;
import dev.cortex.chat.ChatResult;

/**
 * The reply to an answered request: the OpenAI chat completion as {@code /v1/chat/completions} renders it, with the
 * provider, model and attempt trail as message properties, and the key's rate limits when it has any
 * ({@link MessagingHeaders#rateLimit}). No request header is echoed (the gateway key least of all). Building it ends
 * the request: its key's reservation is settled against the provider's usage report, and the usage accounted.
 */
public final class MessagingReply implements Processor {

    private final Transport transport;
    private final ChatApi api;

    public MessagingReply(Transport transport, ChatApi api) {
        this.transport = transport;
        this.api = api;
    }

    @Override
    public void process(Exchange exchange) {
        ChatContext chat = exchange.getMessage().getBody(ChatContext.class);
        ChatResult result = chat.result();
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        transport.address(exchange, out);
        out.setHeader(MessagingHeaders.STATUS, "200");
        out.setHeader(MessagingHeaders.PROVIDER, result.provider());
        out.setHeader(MessagingHeaders.MODEL, result.model());
        out.setHeader(MessagingHeaders.ATTEMPTS, attempts(exchange, chat));
        out.setHeader(MessagingHeaders.OVERHEAD_MS, chat.overheadMs());
        rateLimits(chat.limitHeaders(), out);
        out.setBody(transport.body(api.renderResult(result)));
        chat.ended("complete", result.usage());
    }

    /** The key's {@code x-ratelimit-*} headers as message properties. */
    static void rateLimits(Map<String, String> limitHeaders, Message out) {
        limitHeaders.forEach((header, value) -> out.setHeader(MessagingHeaders.rateLimit(header), value));
    }

    /** The trail of every round, when the request waited for a cooldown and was asked again. */
    static String attempts(Exchange exchange, ChatContext chat) {
        String earlier = exchange.getProperty(MessagingProperties.EARLIER_ATTEMPTS, "", String.class);
        return chat == null ? stripComma(earlier) : earlier + chat.trail();
    }

    private static String stripComma(String s) {
        return s.endsWith(",") ? s.substring(0, s.length() - 1) : s;
    }
}
