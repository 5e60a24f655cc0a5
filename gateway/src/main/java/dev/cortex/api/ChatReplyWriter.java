package dev.cortex.api;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.chat.ChatContext;
import dev.cortex.chat.ChatResult;

/**
 * Last step of a chat front door: renders a complete answer in this door's shape. A streamed answer has already gone
 * out token by token, so there is nothing left to write.
 */
public final class ChatReplyWriter implements Processor {

    private final ChatApi api;

    public ChatReplyWriter(ChatApi api) {
        this.api = api;
    }

    @Override
    public void process(Exchange exchange) {
        ChatContext chat = exchange.getMessage().getBody(ChatContext.class);
        if (chat.streaming()) {
            return;
        }
        ChatResult result = chat.result();
        Message out = exchange.getMessage();
        head(out, chat, result, api.resultContentType());
        out.setBody(api.renderResult(result));
        chat.ended("complete", result.usage());
    }

    /** The head of a complete answer (chat or vectors): 200, who answered, the trail, the key's limits, the route. */
    static void head(Message out, ChatContext chat, ChatResult result, String contentType) {
        out.removeHeaders("*"); // never echo request headers (an Authorization header least of all)
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, contentType);
        out.setHeader(ReplyHeaders.PROVIDER, ReplyHeaders.safe(result.provider()));
        out.setHeader(ReplyHeaders.MODEL, ReplyHeaders.safe(result.model()));
        out.setHeader(ReplyHeaders.ATTEMPTS, ReplyHeaders.safe(chat.trail().toString()));
        out.setHeader(ReplyHeaders.OVERHEAD_MS, chat.overheadMs());
        chat.limitHeaders().forEach(out::setHeader);
        if (chat.route() != null) {
            out.setHeader(ReplyHeaders.ROUTE, ReplyHeaders.safe(chat.route()));
        }
    }
}
