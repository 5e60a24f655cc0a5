package dev.cortex.sim;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * A local stand-in for an LLM provider, speaking its wire format on loopback: for tests, fault drills, the demo and
 * benchmarks. Strict as the provider is: it serves only its models (404 otherwise), refuses malformed requests with
 * 400, and bounds its answer by the request's max tokens and stop sequences. It answers with a configurable text,
 * plays back faults, holds requests on demand, and records what it received. The provider's wire format is a field
 * ({@link ChatWire}); this class is the public face, over the jobs done apart: {@link Loopback} serves,
 * {@link Dispatch} takes requests in, {@link ChatPlayer} plays answers, {@link Knobs}, {@link Holds} and
 * {@link Observations} keep the state.
 */
public abstract class ProviderSimulator implements AutoCloseable {

    private final Loopback loopback = new Loopback();
    private final ChatWire wire;
    private final Dispatch dispatch;
    private final Observations observations = new Observations();
    private final Holds holds = new Holds();
    private final Knobs knobs = new Knobs();

    ProviderSimulator(ChatWire wire) {
        this.wire = wire;
        this.dispatch = new Dispatch(this, wire);
        reset();
    }

    public ProviderSimulator start() {
        return start(0);
    }

    public ProviderSimulator start(int port) {
        return start("127.0.0.1", port);
    }

    /** Listens on {@code host} (an address of this machine, or 0.0.0.0 for all) rather than on loopback only. */
    public ProviderSimulator start(String host, int port) {
        loopback.listen(host, port, dispatch::accept, observations, name());
        return this;
    }

    public int port() {
        return loopback.port();
    }

    public String origin() {
        return "http://127.0.0.1:" + port();
    }

    /** What a user puts in {@code <PROVIDER>_BASE_URL}. */
    public String baseUrl() {
        return origin() + wire.pathPrefix();
    }

    /** The provider's name, for logs and banners. */
    public String name() {
        return wire.name();
    }

    /** Stops listening and closes every connection, before returning; held requests are let go first. */
    @Override
    public void close() {
        holds.release();
        loopback.close(name());
    }

    // ---- behaviour ----

    public ProviderSimulator reply(String text) {
        knobs.reply = text;
        knobs.replyTo = null;
        return this;
    }

    /** Answers each request with a text made from its prompt (its last user message), e.g. an echo. */
    public ProviderSimulator replyTo(UnaryOperator<String> answerForPrompt) {
        knobs.replyTo = answerForPrompt;
        return this;
    }

    public ProviderSimulator firstTokenDelay(Duration delay) {
        knobs.firstTokenDelay = delay;
        return this;
    }

    public ProviderSimulator chunkGap(Duration gap) {
        knobs.chunkGap = gap;
        return this;
    }

    /** Every chat request gets this fault until {@link #clearFaults()} or {@link #reset()}. */
    public ProviderSimulator fault(Fault f) {
        knobs.fault = f;
        return this;
    }

    /** The next chat request only (several calls queue several). */
    public ProviderSimulator faultOnce(Fault f) {
        knobs.onceFaults.add(f);
        return this;
    }

    /** The next {@code calls} chat requests get this fault, the ones after them what they would have got. */
    public ProviderSimulator faultNext(int calls, Fault f) {
        for (int i = 0; i < calls; i++) {
            knobs.onceFaults.add(f);
        }
        return this;
    }

    public ProviderSimulator clearFaults() {
        knobs.clearFaults();
        return this;
    }

    /** Only these keys are valid; others get the provider's invalid-key error. */
    public ProviderSimulator acceptKeys(String... keys) {
        knobs.acceptedKeys = Set.of(keys);
        return this;
    }

    /** The models this provider serves; a request for any other is answered with the provider's 404. */
    public ProviderSimulator models(String... names) {
        knobs.models.clear();
        knobs.models.addAll(List.of(names));
        return this;
    }

    public List<String> models() {
        return List.copyOf(knobs.models);
    }

    /** Requests for {@code model} are answered as {@code profile} says (the model is then one this provider serves). */
    public ProviderSimulator profile(String model, Profile profile) {
        knobs.profiles.put(model, profile);
        return this;
    }

    /**
     * The first chat request whose prompt (last user message) contains {@code marker} is held, for each distinct
     * prompt: nothing is sent until {@link #releaseHeld()}. A repeat of that prompt (a redelivery) is answered at once.
     */
    public ProviderSimulator holdOnce(String marker) {
        holds.holdOnce(marker);
        return this;
    }

    /** Lets the held requests go on (those whose caller hung up go nowhere), and holds no more. */
    public ProviderSimulator releaseHeld() {
        holds.release();
        return this;
    }

    /** Faults, pacing, text, keys, profiles, holds and the served models back to their defaults; counters to zero. */
    public ProviderSimulator reset() {
        clearFaults();
        knobs.reset(wire.defaultModels());
        holds.reset();
        observations.reset();
        return this;
    }

    // ---- observation ----

    public int chatCalls() {
        return observations.chatCalls();
    }

    /** Chat calls whose prompt (last user message) was exactly {@code prompt}, refused ones included. */
    public int chatCalls(String prompt) {
        return observations.chatCalls(prompt);
    }

    /** Chat calls whose caller closed the connection before the answer was over (a gateway that stopped listening). */
    public int abandonedCalls() {
        return observations.abandonedCalls();
    }

    /** Chat calls being answered now (held ones included). */
    public int inFlight() {
        return observations.inFlight();
    }

    /** The most chat calls in flight at once since the last {@link #reset()}. */
    public int maxInFlight() {
        return observations.maxInFlight();
    }

    /** Connections open now (HTTP/1.1 or HTTP/2: HTTP/2 ones carry many calls each). */
    public int openConnections() {
        return observations.openConnections();
    }

    /** The most connections open at once since the last {@link #reset()}. */
    public int maxConnections() {
        return observations.maxConnections();
    }

    /** Connections opened since the last {@link #reset()}. */
    public int connectionsOpened() {
        return observations.connectionsOpened();
    }

    /** Requests held (by {@link #holdOnce}) since the last {@link #reset()}. */
    public int heldCalls() {
        return holds.held();
    }

    /** The model the latest held request asked for (it tells which gateway holds it), or null. */
    public String lastHeldModel() {
        return holds.lastHeldModel();
    }

    /** The chat requests received, in arrival order (the most recent thousand). */
    public List<RecordedRequest> chatRequests() {
        return observations.chatRequests();
    }

    public RecordedRequest lastChatRequest() {
        return observations.lastChatRequest();
    }

    public int requests(String pathPrefix) {
        return observations.requests(pathPrefix);
    }

    // ---- serving ----

    /** Chats go through the wire's reading and the served models to the player; anything else the wire answers. */
    void handle(HttpServerRequest request, Buffer raw) {
        if (wire.isEmbedding(request)) {
            dispatch.embed(request, raw);
        } else if (wire.isChat(request)) {
            dispatch.chat(request, raw);
        } else {
            Loopback.send(request.response(), wire.other(request, models()));
        }
    }

    /** Whether this provider serves the model (its own, or one a profile names). */
    boolean serves(String model) {
        return knobs.serves(model);
    }

    /** What happens between a chat's arrival and its answer (Ollama loads the model). */
    void beforeChat(ChatRequest chat, Runnable play) {
        play.run();
    }

    // ---- for the player ----

    ChatWire wire() {
        return wire;
    }

    Loopback loopback() {
        return loopback;
    }

    Observations observations() {
        return observations;
    }

    Holds holds() {
        return holds;
    }

    Knobs knobs() {
        return knobs;
    }
}
