package dev.cortex.chat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One chat request on its way through the chain: the parsed request, where a stream goes, the attempt trail, and the
 * answer once a provider has given it. It is the body of the Camel exchange from the front door to the reply.
 */
public final class ChatContext {

    private final ChatRequest request;
    private final EmbeddingRequest embedding;
    private final long promptTokens;
    private final Needs needs;
    private final ReplyStream stream;
    private final RoutePreference preference;
    private final ClientLink client;
    private final AttemptTrail trail = new AttemptTrail();
    private final long startNanos = System.nanoTime();
    private final AtomicLong upstreamNanos = new AtomicLong();
    private volatile ChatResult result;
    private volatile List<String> plan = List.of();
    private volatile boolean explainRoute;
    private volatile AccessPolicy policy = AccessPolicy.UNRESTRICTED;
    private volatile String route;
    private volatile long firstTokenMillis = -1;
    private volatile Ending ending;
    private volatile Consumer<ChatContext> onEnd = chat -> {};
    private volatile String answeringProvider;
    private volatile String answeringModel;
    private volatile Map<String, String> limitHeaders = Map.of();
    private volatile Map<String, String> fixedModels = Map.of();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile CompletableFuture<Void> callUnderWay;
    private final FirstTokenRace race = new FirstTokenRace();

    /**
     * How the request ended: {@code ok}, {@code broken} (a stream that failed after its first token), {@code
     * client_gone}, or the HTTP status of the error reply; the tokens the provider reported; and the provider and
     * model that answered (null when none did).
     */
    public record Ending(String outcome, Usage usage, String provider, String model) {}

    /**
     * @param stream where tokens go for a streaming caller; null when the caller wants one complete answer
     */
    public ChatContext(ChatRequest request, ReplyStream stream) {
        this(request, stream, RoutePreference.DEFAULT);
    }

    public ChatContext(ChatRequest request, ReplyStream stream, RoutePreference preference) {
        this(request, stream, preference, ClientLink.NONE);
    }

    /** @param client the caller's side, so that a caller who hangs up stops the provider call made for it */
    public ChatContext(ChatRequest request, ReplyStream stream, RoutePreference preference, ClientLink client) {
        this(request, null, stream, preference, client);
    }

    private ChatContext(
            ChatRequest request,
            EmbeddingRequest embedding,
            ReplyStream stream,
            RoutePreference preference,
            ClientLink client) {
        this.request = request;
        this.embedding = embedding;
        this.stream = stream;
        this.preference = preference;
        this.client = client;
        this.promptTokens = request.promptTokens(); // estimated once: routing and key limits both read it
        this.needs = embedding != null ? Needs.embeddings(promptTokens) : request.needs(promptTokens);
    }

    /**
     * An embedding request on its way through the same chain as chats (strategies, keys, limits, breakers): {@link
     * #request()} is then its texts as a chat, for token estimates and accounting, and {@link #embedding()} says what
     * to ask for.
     */
    public static ChatContext forEmbedding(EmbeddingRequest embedding, RoutePreference preference, ClientLink client) {
        return new ChatContext(embedding.asChat(), embedding, null, preference, client);
    }

    /**
     * A fresh context for asking the chain again (a queued request that waited for a cooldown): a new attempt trail
     * and plan, and everything the front door settled before the chain kept — the request, where it streams, the
     * caller's preference and link, the key's policy, the limit headers its key's limits gave, whether the route is
     * to be explained, and the listeners told when it ends (the key's reservation settles once, for the last round).
     */
    public synchronized ChatContext nextRound() {
        ChatContext next = new ChatContext(request, embedding, stream, preference, client);
        next.policy = policy;
        next.explainRoute = explainRoute;
        next.limitHeaders = limitHeaders;
        next.fixedModels = fixedModels;
        next.onEnd = onEnd;
        return next;
    }

    /**
     * For an embedding request, the one model each provider may answer with (by provider name): the members of the
     * embedding family the caller named, since only the same model gives comparable vectors. Set by the front door.
     */
    public void fixModels(Map<String, String> byProvider) {
        this.fixedModels = Map.copyOf(byProvider);
    }

    /** Empty for a chat, and for an embedding request no door has resolved. */
    public Map<String, String> fixedModels() {
        return fixedModels;
    }

    public ClientLink client() {
        return client;
    }

    public RoutePreference preference() {
        return preference;
    }

    public ChatRequest request() {
        return request;
    }

    /** The embedding request when this is one; null for a chat. */
    public EmbeddingRequest embedding() {
        return embedding;
    }

    /** The prompt's estimated tokens ({@link ChatRequest#promptTokens}). */
    public long promptTokens() {
        return promptTokens;
    }

    /** What a model must be able to do to answer this request. */
    public Needs needs() {
        return needs;
    }

    public boolean streaming() {
        return stream != null;
    }

    public ReplyStream stream() {
        return stream;
    }

    public AttemptTrail trail() {
        return trail;
    }

    /** What the caller's gateway key allows; {@link AccessPolicy#UNRESTRICTED} when no key is in play. */
    public AccessPolicy policy() {
        return policy;
    }

    /** Set by the front door once it knows the caller's key, before the request enters the chain. */
    public void restrictTo(AccessPolicy policy) {
        this.policy = policy;
    }

    /** Whether the caller asked to see the route plan in the reply's head. */
    public void explainRoute(boolean explain) {
        this.explainRoute = explain;
    }

    /** The plan in words ({@code X-Cortex-Route}), when the caller asked for it; else null. */
    public String route() {
        return explainRoute ? route : null;
    }

    public void route(String explanation) {
        this.route = explanation;
    }

    /** The providers this request will try, in order (set by the chain before the first attempt). */
    public void plan(List<String> providers) {
        this.plan = List.copyOf(providers);
    }

    /** Which provider call answers, when a hedge has two under way. */
    public FirstTokenRace race() {
        return race;
    }

    /**
     * The provider call just started for this request: it completes at the call's commit point, or fails when the
     * provider did not answer. Set by the provider that started it, taken by the chain, which goes on from there
     * without a thread waiting.
     */
    public void callUnderWay(CompletableFuture<Void> outcome) {
        callUnderWay = outcome;
    }

    public boolean hasCallUnderWay() {
        return callUnderWay != null;
    }

    /** The call under way, now the chain's to wait on; null when the provider answered without one. */
    public CompletableFuture<Void> takeCallUnderWay() {
        CompletableFuture<Void> outcome = callUnderWay;
        callUnderWay = null;
        return outcome;
    }

    public List<String> plan() {
        return plan;
    }

    /** Whether no provider after this one is left to try: then waiting for a free slot beats failing. */
    public boolean isLastInPlan(String provider) {
        return plan.isEmpty() || plan.get(plan.size() - 1).equals(provider);
    }

    public ChatResult result() {
        return result;
    }

    public void answered(ChatResult result) {
        this.answeringProvider = result.provider();
        this.answeringModel = result.model();
        this.result = result;
    }

    /** Time spent waiting on providers, so the gateway's own overhead can be told apart. */
    public void addUpstreamTime(long nanos) {
        upstreamNanos.addAndGet(nanos);
    }

    /**
     * Wall time so far minus time spent waiting on providers, in milliseconds with three decimals ({@code 0.274}):
     * Cortex's own work is well under a millisecond, so whole milliseconds would read 0 and say nothing.
     */
    public String overheadMs() {
        long own = System.nanoTime() - startNanos - upstreamNanos.get();
        return decimalMillis(TimeUnit.NANOSECONDS.toMicros(Math.max(0, own)));
    }

    /** {@code 1234} µs as {@code 1.234}: no String.format on the request path, and a dot whatever the locale. */
    static String decimalMillis(long micros) {
        long fraction = micros % 1000;
        String digits = Long.toString(fraction);
        return micros / 1000 + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + digits;
    }

    /** The answering provider's time to first token, once it sent one. */
    public void firstToken(long millis) {
        this.firstTokenMillis = millis;
    }

    /** -1 until a provider sent a first token. */
    public long firstTokenMillis() {
        return firstTokenMillis;
    }

    /**
     * Something more to do once the request has ended (the status page's list, the key's usage accounts); set by the
     * front door before the request enters the chain. Listeners run in the order they were added.
     */
    public synchronized void onEnd(Consumer<ChatContext> listener) {
        this.onEnd = this.onEnd.andThen(listener);
    }

    /** The key's {@code x-ratelimit-*} headers for the reply's head, once its limits admitted the request. */
    public void limitHeaders(Map<String, String> headers) {
        this.limitHeaders = Map.copyOf(headers);
    }

    public Map<String, String> limitHeaders() {
        return limitHeaders;
    }

    /** The request has ended, with an answer or without: told to the listener once, whoever says it first. */
    public void ended(String outcome, Usage usage) {
        if (ended.compareAndSet(false, true)) {
            this.ending = new Ending(outcome, usage == null ? Usage.NONE : usage, answeringProvider, answeringModel);
            onEnd.accept(this);
        }
    }

    /** Null until the request has ended. */
    public Ending ending() {
        return ending;
    }

    /** The commit point: the provider that answers is written into the trail and the head of the reply. */
    public ReplyStream.ReplyHead commitHead(String provider, String model) {
        trail.record(provider, "ok", null);
        this.answeringProvider = provider;
        this.answeringModel = model;
        return new ReplyStream.ReplyHead(provider, model, trail.toString(), overheadMs(), route(), limitHeaders);
    }
}
