package dev.cortex.provider;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.cortex.limits.ModelPrice;

/**
 * One provider's settings: the {@code provider.<name>.*} block of application.properties, bound once onto this class
 * at start-up (by Camel's property binding, which maps {@code base-url} to {@link #setBaseUrl}). Every use reads a
 * typed getter here, so a setting can be followed from its line in application.properties to its use.
 */
public final class ProviderSettings {

    /** The wire format a provider speaks; any number of providers may share one. */
    public enum Kind {
        /** OpenAI's Chat Completions: Groq, OpenRouter, Mistral, Together, vLLM, LM Studio, llama.cpp's server. */
        OPENAI,
        GEMINI,
        COHERE,
        /** An Ollama server: keyless, local models loaded on demand within a memory budget. */
        OLLAMA
    }

    /** How calls to the provider use HTTP/2 ({@code provider.<name>.http2}). */
    public enum Http2 {
        /** h2 when TLS negotiates it (ALPN), else HTTP/1.1; HTTP/1.1 over plain http. */
        AUTO,
        /** h2 with prior knowledge over plain http (h2c): a server known to speak it, no upgrade round trip. */
        H2C,
        /** HTTP/1.1 always. */
        OFF
    }

    private final String name;
    private Kind kind;
    private String baseUrl;
    private String apiKey = "";
    private String models = "";
    private double pricePerMillionTokens;
    private final Map<String, ModelPrice> prices = new TreeMap<>();
    private boolean local;
    // parsed once when set: a request asks every provider what its models can do, several times
    private Capabilities capabilities; // null: not configured
    private final Map<String, Capabilities> modelCapabilities = new TreeMap<>();
    private long contextWindow;
    private final Map<String, Long> modelContextWindows = new TreeMap<>();
    private List<String> embeddingModels = List.of();
    private int maxConcurrent = 256;
    private final Clocks timeout = new Clocks();
    private String maxTokensField = "max_tokens";
    private boolean streamUsage = true;
    private final LocalModels ollama = new LocalModels();
    private Http2 http2 = Http2.AUTO;
    private int http2MaxConnections;
    private int http2MaxStreams = 100;

    public ProviderSettings(String name) {
        this.name = name;
    }

    /** Refuses settings that cannot work, naming the setting, before anything starts. */
    public ProviderSettings validate() {
        require(kind != null, "kind", "one of openai, gemini, cohere, ollama");
        require(baseUrl != null && !baseUrl.isBlank(), "base-url", "the provider's URL");
        require(kind == Kind.OLLAMA || !modelList().isEmpty(), "models", "at least one model");
        require(contextWindow >= 0, "context-window", "a number of tokens (0: unknown)");
        require(maxConcurrent > 0, "max-concurrent", "a positive number");
        require(
                http2 != Http2.H2C || baseUrl.startsWith("http://"),
                "http2",
                "auto or off for an https base-url (h2c is h2 without TLS)");
        require(
                http2MaxConnections >= 0,
                "http2-max-connections",
                "0 (enough for max-concurrent) or a positive number");
        require(http2MaxStreams > 0, "http2-max-streams", "a positive number");
        require(
                timeout.connectMs > 0 && timeout.firstTokenMs > 0 && timeout.idleMs > 0 && timeout.totalMs > 0,
                "timeout.*",
                "positive milliseconds");
        return this;
    }

    private void require(boolean ok, String setting, String what) {
        if (!ok) {
            throw new IllegalStateException("Setting 'provider." + name + "." + setting + "' must be " + what);
        }
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public String baseUrl() {
        return baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** The pool of keys (comma-separated in the setting); empty for a keyless provider or one switched off. */
    public List<String> keys() {
        return split(apiKey);
    }

    /** Whether calls carry a key: a cloud provider without keys is switched off; Ollama needs none. */
    public boolean needsKey() {
        return kind != Kind.OLLAMA;
    }

    /** The models to serve (cloud) or keep warm (Ollama); the first is the default. */
    public List<String> modelList() {
        return split(models);
    }

    public double pricePerMillionTokens() {
        return local ? 0 : pricePerMillionTokens;
    }

    /**
     * What {@code model} costs here: its line in the price table ({@code provider.<name>.price.<model>}), else the
     * provider's {@code price-per-million-tokens} for input and output alike; free for a local provider.
     */
    public ModelPrice price(String model) {
        if (local) {
            return ModelPrice.FREE;
        }
        ModelPrice listed = model == null ? null : prices.get(model);
        return listed != null ? listed : new ModelPrice(pricePerMillionTokens, pricePerMillionTokens);
    }

    /** One line of the price table: {@code provider.<name>.price.<model> = input / output} (USD per million). */
    public void addPrice(String model, String text) {
        try {
            prices.put(model, ModelPrice.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Setting 'provider." + name + ".price." + model + "': " + e.getMessage());
        }
    }

    /**
     * What {@code model} can do as configured: an embedding model ({@code embedding-models}) serves vectors only; a
     * chat model has its own line ({@code capabilities.<model>}), else the provider's ({@code capabilities}), else
     * nothing is known and it is tried with whatever a request needs ({@link Capabilities#UNKNOWN}). The context
     * window is {@code context-window.<model>}, else {@code context-window}, else unknown.
     */
    public Capabilities capabilities(String model) {
        long window = contextWindow(model);
        if (embeddingModelList().contains(model)) {
            return Capabilities.embedding(window);
        }
        return configuredCapabilities(model).orElse(Capabilities.UNKNOWN).withContextWindow(window);
    }

    /**
     * The capabilities configured for a chat model ({@code capabilities.<model>}, else {@code capabilities}); empty
     * when neither is set, so that a server that knows its models (Ollama) may say.
     */
    public Optional<Capabilities> configuredCapabilities(String model) {
        Capabilities own = model == null ? null : modelCapabilities.get(model);
        return Optional.ofNullable(own != null ? own : capabilities);
    }

    /** Whether a line of its own ({@code capabilities.<model>}) says what {@code model} can do. */
    public boolean capabilitiesConfiguredFor(String model) {
        return modelCapabilities.containsKey(model);
    }

    /** Tokens {@code model}'s context holds as configured; 0 when not configured. */
    public long contextWindow(String model) {
        Long own = model == null ? null : modelContextWindows.get(model);
        return own != null ? own : contextWindow;
    }

    /** Whether a line of its own ({@code context-window.<model>}) sets {@code model}'s context window. */
    public boolean contextWindowConfiguredFor(String model) {
        return modelContextWindows.containsKey(model);
    }

    /** The models that serve vectors ({@code embedding-models}); they serve no chat. */
    public List<String> embeddingModelList() {
        return embeddingModels;
    }

    /** One line of the capability table: {@code provider.<name>.capabilities.<model> = tools, vision}. */
    public void addCapabilities(String model, String words) {
        // an unknown word is refused here, at start-up
        modelCapabilities.put(model, Capabilities.parse(setting("capabilities." + model), words, 0));
    }

    /** One line of the context-window table: {@code provider.<name>.context-window.<model> = 131072}. */
    public void addContextWindow(String model, String tokens) {
        modelContextWindows.put(model, tokens(setting("context-window." + model), tokens));
    }

    private static long tokens(String setting, String text) {
        try {
            long tokens = Long.parseLong(text.trim());
            if (tokens >= 0) {
                return tokens;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalStateException("Setting '" + setting + "' must be a number of tokens, not '" + text + "'");
    }

    private String setting(String rest) {
        return "provider." + name + "." + rest;
    }

    /** Runs on this machine or network: costs nothing per token, and has no quota. */
    public boolean local() {
        return local;
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    /**
     * Whether this provider's first-token clock may adapt to its measured times ({@link FirstTokenTimeout}); the
     * {@code cortex.timeouts.adaptive.*} settings say how, and whether at all.
     */
    public boolean adaptiveFirstToken() {
        return timeout.adaptiveFirstToken;
    }

    public Timeouts timeouts() {
        return new Timeouts(
                Duration.ofMillis(timeout.connectMs),
                Duration.ofMillis(timeout.firstTokenMs),
                Duration.ofMillis(timeout.idleMs),
                Duration.ofMillis(timeout.totalMs));
    }

    /** OpenAI kind: the field that caps the answer's length ({@code max_tokens}; Groq: {@code max_completion_tokens}). */
    public String maxTokensField() {
        return maxTokensField;
    }

    /** OpenAI kind: ask for the usage chunk at the end of a stream ({@code stream_options.include_usage}). */
    public boolean streamUsage() {
        return streamUsage;
    }

    /** How calls use HTTP/2: negotiated over TLS ({@code auto}), prior knowledge over plain http, or never. */
    public Http2 http2() {
        return http2;
    }

    /** Whether calls may go over HTTP/2, given the mode and the base URL's scheme. */
    public boolean usesHttp2() {
        return switch (http2) {
            case AUTO -> baseUrl().startsWith("https://");
            case H2C -> true;
            case OFF -> false;
        };
    }

    /** Streams one HTTP/2 connection carries at most (the server's own limit, when lower, wins). */
    public int http2MaxStreams() {
        return http2MaxStreams;
    }

    /**
     * HTTP/2 connections kept to the provider: as set, else as many as {@link #maxConcurrent()} calls need at
     * {@link #http2MaxStreams()} each, so that the bulkhead, not the pool, is what limits the calls.
     */
    public int http2MaxConnections() {
        return http2MaxConnections > 0
                ? http2MaxConnections
                : Math.max(1, (maxConcurrent + http2MaxStreams - 1) / http2MaxStreams);
    }

    /** Ollama kind: how its models are kept. */
    public LocalModels localModels() {
        return ollama;
    }

    private static List<String> split(String csv) {
        return csv == null
                ? List.of()
                : Arrays.stream(csv.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
    }

    // ---- binding: property binding sets these, nothing else calls them ----

    public void setKind(Kind kind) {
        this.kind = kind;
    }

    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    public void setModels(String models) {
        this.models = models;
    }

    public void setPricePerMillionTokens(double price) {
        this.pricePerMillionTokens = price;
    }

    public void setCapabilities(String words) {
        this.capabilities = Capabilities.parse(setting("capabilities"), words, 0);
    }

    public void setContextWindow(long tokens) {
        this.contextWindow = tokens;
    }

    public void setEmbeddingModels(String models) {
        this.embeddingModels = split(models);
    }

    public void setLocal(boolean local) {
        this.local = local;
    }

    public void setMaxConcurrent(int maxConcurrent) {
        this.maxConcurrent = maxConcurrent;
    }

    public Clocks getTimeout() {
        return timeout;
    }

    public void setMaxTokensField(String field) {
        this.maxTokensField = field;
    }

    public void setStreamUsage(boolean streamUsage) {
        this.streamUsage = streamUsage;
    }

    public void setHttp2(Http2 http2) {
        this.http2 = http2;
    }

    public void setHttp2MaxConnections(int connections) {
        this.http2MaxConnections = connections;
    }

    public void setHttp2MaxStreams(int streams) {
        this.http2MaxStreams = streams;
    }

    // Ollama kind: provider.<name>.max-memory-mb, critical-models, critical-max-size-mb, keep-alive, load-timeout-ms

    public void setMaxMemoryMb(long mb) {
        ollama.maxMemoryMb = mb;
    }

    public void setCriticalModels(String models) {
        ollama.criticalModels = models;
    }

    public void setCriticalMaxSizeMb(long mb) {
        ollama.criticalMaxSizeMb = mb;
    }

    public void setKeepAlive(String keepAlive) {
        ollama.keepAlive = keepAlive;
    }

    public void setLoadTimeoutMs(long ms) {
        ollama.loadTimeoutMs = ms;
    }

    /** {@code provider.<name>.timeout.*}: the four clocks of a call, in milliseconds ({@link Timeouts}). */
    public static final class Clocks {
        private long connectMs = 5_000;
        private long firstTokenMs = 20_000;
        private long idleMs = 20_000;
        private long totalMs = 120_000;
        private boolean adaptiveFirstToken = true;

        public void setConnectMs(long ms) {
            this.connectMs = ms;
        }

        public void setFirstTokenMs(long ms) {
            this.firstTokenMs = ms;
        }

        public void setIdleMs(long ms) {
            this.idleMs = ms;
        }

        public void setTotalMs(long ms) {
            this.totalMs = ms;
        }

        public void setAdaptiveFirstToken(boolean adaptive) {
            this.adaptiveFirstToken = adaptive;
        }
    }

    /** Ollama kind: how an Ollama server's models are kept, loaded within a memory budget. */
    public static final class LocalModels {
        private long maxMemoryMb = 8192;
        private String criticalModels = "";
        private long criticalMaxSizeMb = 2048;
        private String keepAlive = "30m";
        private long loadTimeoutMs = 120_000;

        /** Memory the loaded models may take together. */
        public long maxMemoryMb() {
            return maxMemoryMb;
        }

        /** Models never unloaded to make room; when empty, every model up to {@link #criticalMaxSizeMb()}. */
        public List<String> criticalModels() {
            return split(criticalModels);
        }

        public long criticalMaxSizeMb() {
            return criticalMaxSizeMb;
        }

        /** How long Ollama keeps a model loaded after each use. */
        public String keepAlive() {
            return keepAlive;
        }

        public Duration loadTimeout() {
            return Duration.ofMillis(loadTimeoutMs);
        }
    }
}
