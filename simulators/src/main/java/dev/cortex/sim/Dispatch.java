package dev.cortex.sim;

import java.util.List;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Takes a simulator's requests: counts them by path, answers {@code /_sim/stats}, puts the wire's headers on every
 * response, and takes a chat from the wire's reading (its 400s) through the served models (its 404) to the player.
 */
final class Dispatch {

    private final ProviderSimulator sim;
    private final ChatWire wire;
    private final ChatPlayer player;

    Dispatch(ProviderSimulator sim, ChatWire wire) {
        this.sim = sim;
        this.wire = wire;
        this.player = new ChatPlayer(sim, wire, sim.loopback().vertx);
    }

    void accept(HttpServerRequest request) {
        if (request.path().equals("/_sim/stats")) { // the simulator's own counters, for drills and benchmarks
            Loopback.send(
                    request.response(),
                    new WireReply(
                            200,
                            Json.object()
                                    .put("provider", wire.name())
                                    .put("chat_calls", sim.chatCalls())
                                    .put("connections", sim.openConnections())
                                    .put("max_connections", sim.maxConnections())
                                    .put("connections_opened", sim.connectionsOpened())));
            return;
        }
        sim.observations().path(request.path());
        request.body().onSuccess(body -> {
            try {
                wire.headers().forEach(request.response()::putHeader);
                sim.handle(request, body);
            } catch (RuntimeException e) {
                if (!request.response().headWritten()) {
                    request.response().setStatusCode(500).end("simulator error: " + e);
                }
            }
        });
    }

    void chat(HttpServerRequest request, Buffer raw) {
        ChatRequest chat;
        try {
            chat = wire.read(request, Loopback.json(raw));
        } catch (WireReply.Refused refused) {
            Loopback.send(request.response(), refused.reply());
            return;
        }
        if (!sim.serves(chat.model())) {
            Loopback.send(request.response(), wire.unknownModel(chat));
            return;
        }
        sim.beforeChat(chat, () -> player.play(request, chat));
    }

    /**
     * An embedding request: read the wire's way, counted and recorded as a chat is, refused by the same faults (so a
     * test can make a provider's embeddings fail), else answered at once with {@link SimEmbeddings}' vectors.
     */
    void embed(HttpServerRequest request, Buffer raw) {
        ChatWire.EmbedRequest embed;
        try {
            embed = wire.readEmbedding(request, Loopback.json(raw));
        } catch (WireReply.Refused refused) {
            Loopback.send(request.response(), refused.reply());
            return;
        }
        if (!sim.serves(embed.model())) {
            Loopback.send(
                    request.response(),
                    wire.unknownModel(new ChatRequest(embed.model(), false, "", 0, null, List.of(), embed.body())));
            return;
        }
        player.embed(request, embed);
    }
}
