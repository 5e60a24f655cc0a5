package dev.cortex.sim;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Plays chat answers for one simulator in its wire format: records the request, checks the key, applies the next
 * fault, holds what is to be held, bounds the reply by the request's max tokens and stop sequences, and sends it
 * whole or streams it one word per chunk, paced by timers (no thread per stream).
 */
final class ChatPlayer {

    private final ProviderSimulator sim;
    private final ChatWire wire;
    private final Vertx vertx;

    ChatPlayer(ProviderSimulator sim, ChatWire wire, Vertx vertx) {
        this.sim = sim;
        this.wire = wire;
        this.vertx = vertx;
    }

    void play(HttpServerRequest request, ChatRequest chat) {
        String key = record(request, chat.body(), chat.prompt(), chat.stream());
        HttpServerResponse response = request.response();
        Profile profile = sim.knobs().profiles.get(chat.model());
        Fault f = profile != null && profile.fault() != null
                ? sim.knobs().profileFault(chat.model(), profile.fault())
                : sim.knobs().nextFault(request);
        if (wire.needsKey() && !sim.knobs().validKey(key)) {
            f = new Fault.InvalidKey();
        }
        if (refusedBeforeAnswer(f)) {
            Loopback.send(response, wire.refusal(f, chat.model()));
            return;
        }
        Fault playing = f;
        Context context = vertx.getOrCreateContext();
        if (sim.holds()
                .hold(
                        chat.prompt(),
                        chat.model(),
                        () -> context.runOnContext(v -> answer(request, chat, profile, playing)))) {
            return;
        }
        answer(request, chat, profile, playing);
    }

    void embed(HttpServerRequest request, ChatWire.EmbedRequest embed) {
        String key = record(request, embed.body(), String.join("\n", embed.inputs()), false);
        Fault f = sim.knobs().nextFault(request);
        if (wire.needsKey() && !sim.knobs().validKey(key)) {
            f = new Fault.InvalidKey();
        }
        if (refusedBeforeAnswer(f)) {
            Loopback.send(request.response(), wire.refusal(f, embed.model()));
            return;
        }
        List<float[]> vectors = embed.inputs().stream()
                .map(text -> SimEmbeddings.vector(embed.model(), text, embed.dimensions()))
                .toList();
        Loopback.send(request.response(), new WireReply(200, wire.embeddings(embed, vectors)));
    }

    /** Records the request for the tests' eyes, and returns the key it carried. */
    private String record(HttpServerRequest request, JsonNode body, String prompt, boolean stream) {
        String key = wire.apiKey(request);
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        sim.observations()
                .chat(
                        new RecordedRequest(
                                request.method().name(), request.path(), request.query(), headers, body, key, stream),
                        prompt,
                        request.response());
        return key;
    }

    /** The faults a provider answers with an error status, before any byte of an answer. */
    private static boolean refusedBeforeAnswer(Fault f) {
        return f instanceof Fault.Status
                || f instanceof Fault.RateLimited
                || f instanceof Fault.QuotaExhausted
                || f instanceof Fault.InvalidKey
                || f instanceof Fault.ModelNotFound;
    }

    private void answer(HttpServerRequest request, ChatRequest chat, Profile profile, Fault f) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            return;
        }
        if (f instanceof Fault.Silence) {
            vertx.setTimer(300_000, t -> Loopback.cut(request));
            return;
        }
        String reply = f instanceof Fault.EmptyAnswer
                ? ""
                : profile != null ? profile.reply() : sim.knobs().replyFor(chat.prompt());
        AgentScript.Turn turn = f instanceof Fault.EmptyAnswer
                ? new AgentScript.Turn("", List.of())
                : AgentScript.play(chat.asks(), reply, chat.prompt());
        Generation generation = Generation.of(turn.text(), chat.maxTokens(), chat.stop());
        ChatWire.Answer answer = new ChatWire.Answer(
                UUID.randomUUID().toString(),
                chat.model(),
                generation,
                chat.promptTokens(),
                f instanceof Fault.EmptyAnswer e ? e.finishReason() : null,
                chat.body(),
                turn.calls());
        Duration first = profile != null ? profile.firstTokenDelay() : sim.knobs().firstTokenDelay;
        if (f instanceof Fault.SlowFirstToken slow) { // here only: every wire, streamed or whole, waits the same
            first = first.plus(slow.delay());
        }
        if (!chat.stream()) {
            if (f instanceof Fault.CutAfter) {
                Loopback.cut(request);
            } else if (f instanceof Fault.ErrorEventAfter) {
                Loopback.send(response, wire.refusal(new Fault.Status(500), chat.model()));
            } else if (!(f instanceof Fault.StallAfter)) {
                sim.loopback().later(first.toMillis(), () -> {
                    if (!response.closed()) {
                        Loopback.send(response, new WireReply(200, wire.complete(answer)));
                    }
                });
            }
            return;
        }
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", wire.streamContentType())
                .putHeader("Cache-Control", "no-cache");
        String opening = wire.open(answer);
        if (!opening.isEmpty()) {
            response.write(opening);
        } else {
            response.writeHead();
        }
        long gap = (profile != null ? profile.chunkGap() : sim.knobs().chunkGap).toMillis();
        List<String> chunks = generation.chunks();
        sim.loopback().later(first.toMillis(), () -> emit(request, answer, chunks, 0, gap, f));
    }

    private void emit(
            HttpServerRequest request, ChatWire.Answer answer, List<String> chunks, int index, long gap, Fault f) {
        HttpServerResponse response = request.response();
        if (response.closed() || response.ended()) {
            return;
        }
        if (f instanceof Fault.CutAfter c && index == c.chunks()) {
            Loopback.cut(request);
            return;
        }
        if (f instanceof Fault.StallAfter s && index == s.chunks()) {
            vertx.setTimer(300_000, t -> Loopback.cut(request));
            return;
        }
        if (f instanceof Fault.ErrorEventAfter e && index == e.chunks()) {
            response.end(wire.inStreamError("The simulated " + wire.name() + " failed mid-stream"));
            return;
        }
        if (f instanceof Fault.MalformedChunkAfter m && index == m.chunks()) {
            response.write(wire.malformed());
        }
        if (index == chunks.size()) {
            // the answer has left only once its last bytes were written; a caller that hung up first never got it
            String ending = String.join("", wire.toolCallFrames(answer)) + wire.close(answer);
            response.end(ending).onFailure(e -> sim.observations().abandoned());
            return;
        }
        response.write(wire.chunk(answer, chunks.get(index), index));
        Runnable next = () -> emit(request, answer, chunks, index + 1, gap, f);
        if (response.writeQueueFull()) {
            // a reader that does not keep up holds the generation back, as a real server's TCP window does; and the
            // chunks written so far leave now, so a large answer's first token is not held back by its last
            response.drainHandler(v -> next.run());
        } else if (gap <= 0) {
            next.run();
        } else {
            vertx.setTimer(gap, t -> next.run());
        }
    }
}
