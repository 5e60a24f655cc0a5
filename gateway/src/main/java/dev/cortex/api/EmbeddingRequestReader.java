package dev.cortex.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import dev.cortex.chain.EmbeddingFamilies;
import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.ChatContext;
import dev.cortex.chat.RoutePreference;
import dev.cortex.status.RequestFeed;
import dev.cortex.status.RequestSummary;

/**
 * First step of an embedding front door, as {@link ChatRequestReader} is of a chat door: parses the body in this
 * door's shape into a {@link ChatContext} for the chain, fixing the model each provider may answer with (the
 * embedding family the request names, see {@link EmbeddingFamilies}), or fails with a 400 that names the bad field
 * (404 for a model no provider serves).
 */
public final class EmbeddingRequestReader implements Processor {

    /** Exchange property holding the parsed request, for the reply's shape ({@code encoding_format}). */
    static final String PARSED = "CortexEmbeddingRequest";

    private final EmbeddingApi api;
    private final BoundedJsonReader json;
    private final EmbeddingFamilies families;
    private final RequestFeed feed;

    public EmbeddingRequestReader(
            EmbeddingApi api, BoundedJsonReader json, EmbeddingFamilies families, RequestFeed feed) {
        this.api = api;
        this.json = json;
        this.families = families;
        this.feed = feed;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        JsonNode body = json.read(in.getBody(byte[].class));
        AccessPolicy policy = AccessCheck.caller(exchange).policy();
        EmbeddingApi.Parsed parsed = api.parse(body);
        RoutePreference preference = ChatRequestReader.preference(body, in, policy);
        HttpMessage http = exchange.getIn(HttpMessage.class);
        if (http == null) {
            throw new IllegalStateException("The embedding front door serves HTTP requests only");
        }
        ChatContext chat =
                ChatContext.forEmbedding(parsed.request(), preference, new HttpClientLink(http.getResponse()));
        chat.fixModels(families.resolve(parsed.request().model()));
        chat.restrictTo(policy);
        chat.explainRoute(RequestHeaders.flag(in, ChatRequestReader.EXPLAIN_HEADER));
        chat.onEnd(ended -> feed.publish(RequestSummary.of(api.door(), ended)));
        exchange.setProperty(PARSED, parsed);
        in.setBody(chat);
    }
}
