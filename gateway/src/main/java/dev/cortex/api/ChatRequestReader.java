package dev.cortex.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.ChatContext;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.ReplyStream;
import dev.cortex.chat.RoutePreference;
import dev.cortex.status.RequestFeed;
import dev.cortex.status.RequestSummary;

/**
 * First step of a chat front door: parses the body in this door's shape into a {@link ChatContext} (the exchange body
 * from here on), or fails with a 400 that names the bad field. A streaming caller gets a reply stream over its own
 * HTTP response, which a provider writes to at the commit point.
 */
public final class ChatRequestReader implements Processor {

    /** Exchange property naming the front door, so errors come back in the caller's shape. */
    public static final String API = "CortexApi";

    /** A request header asking for the route plan in the {@code X-Cortex-Route} response header. */
    public static final String EXPLAIN_HEADER = "X-Cortex-Explain";

    private final ChatApi api;
    private final BoundedJsonReader json;
    private final RequestFeed feed;

    /** @param feed where the request's summary goes once it has ended (the status page's live list) */
    public ChatRequestReader(ChatApi api, BoundedJsonReader json, RequestFeed feed) {
        this.api = api;
        this.json = json;
        this.feed = feed;
    }

    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(API, api);
        Message in = exchange.getMessage();
        JsonNode body = json.read(in.getBody(byte[].class));
        AccessPolicy policy = AccessCheck.caller(exchange).policy();
        ChatRequest request = KeyCeilings.apply(api.parse(body), policy);
        RoutePreference preference = preference(body, in, policy);
        HttpMessage http = exchange.getIn(HttpMessage.class);
        if (http == null) {
            throw new IllegalStateException("The chat front door serves HTTP requests only");
        }
        ReplyStream stream = request.stream() ? new HttpReplyStream(http.getRequest(), api.newStream(request)) : null;
        ChatContext chat = new ChatContext(request, stream, preference, new HttpClientLink(http.getResponse()));
        chat.restrictTo(policy);
        chat.explainRoute(RequestHeaders.flag(in, EXPLAIN_HEADER));
        chat.onEnd(ended -> feed.publish(RequestSummary.of(api.door(), ended)));
        in.setBody(chat);
    }

    /** How the caller wants the chain tried: the body's fields, else the headers, else the key's own strategy. */
    static RoutePreference preference(JsonNode body, Message in, AccessPolicy policy) {
        RoutePreference preference = RoutePreferences.from(
                body,
                RequestHeaders.text(in, RoutePreferences.STRATEGY_HEADER),
                RequestHeaders.text(in, RoutePreferences.PROVIDER_HEADER),
                RequestHeaders.text(in, RoutePreferences.PROVIDERS_HEADER));
        if (preference.strategy() == null && policy.strategy() != null) {
            preference = new RoutePreference(policy.strategy(), preference.providers()); // the key's default
        }
        return preference;
    }
}
