package dev.cortex.api;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.chat.ChatContext;
import dev.cortex.chat.ChatResult;

/** Last step of an embedding front door: the vectors in this door's shape, with the head a chat answer has. */
public final class EmbeddingReplyWriter implements Processor {

    private final EmbeddingApi api;

    public EmbeddingReplyWriter(EmbeddingApi api) {
        this.api = api;
    }

    @Override
    public void process(Exchange exchange) {
        ChatContext chat = exchange.getMessage().getBody(ChatContext.class);
        EmbeddingApi.Parsed parsed = exchange.getProperty(EmbeddingRequestReader.PARSED, EmbeddingApi.Parsed.class);
        ChatResult result = chat.result();
        Message out = exchange.getMessage();
        ChatReplyWriter.head(out, chat, result, api.contentType());
        out.setBody(api.render(result, parsed));
        chat.ended("complete", result.usage());
    }
}
