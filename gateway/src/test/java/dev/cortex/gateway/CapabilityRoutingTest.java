package dev.cortex.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chain.ChainVerdict;
import dev.cortex.chat.ChatContext;
import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.ClientLink;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.Json;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.RoutePreference;
import dev.cortex.chat.ToolSpec;
import dev.cortex.failure.BadRequestException;
import dev.cortex.ollama.OllamaHosts;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Capability-aware routing in the real gateway: a provider whose models cannot do what a request needs (tools, images,
 * a long prompt) is passed over without a call, the plan and the trail say why, and it costs the provider nothing.
 * "plain" (an OpenAI-kind provider configured without tools, with a small window) comes first in the chain; Groq has
 * the shipped defaults (Llama 3.x with tools, Llama 4 Scout with vision); Ollama says what its models can do through
 * {@code /api/show}.
 */
class CapabilityRoutingTest {

    static final String SCOUT = "meta-llama/llama-4-scout-17b-16e-instruct";

    @TempDir
    static Path dir;

    static GroqSimulator plain;
    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() throws IOException {
        plain = (GroqSimulator) new GroqSimulator().start();
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        // what /api/show says, before Cortex first asks: llama3.2 calls tools, qwen2.5 only completes
        ollama.capabilities("qwen2.5:0.5b", 32768, "completion");
        ExtraProviders.copyPolicyInto(dir, List.of("plain"), List.of());
        cortex = CortexServer.start(
                dir,
                Map.ofEntries(
                        Map.entry("provider.plain.kind", "openai"),
                        Map.entry("provider.plain.base-url", plain.baseUrl()),
                        Map.entry("provider.plain.api-key", "sk-plain-0001"),
                        Map.entry("provider.plain.models", "plain-model"),
                        Map.entry("provider.plain.capabilities", "json_schema"),
                        Map.entry("provider.plain.context-window", "100"),
                        Map.entry("provider.groq.api-key", "gsk_test_capabilities_0001"),
                        Map.entry("provider.groq.base-url", groq.baseUrl()),
                        Map.entry("provider.ollama.base-url", ollama.baseUrl()),
                        Map.entry("provider.ollama.models", "llama3.2"),
                        Map.entry("cortex.health.initial-delay-ms", "3600000")));
        // what Ollama has, read now rather than by the timers, so every test meets a known Ollama
        cortex.bean("ollamaHosts", OllamaHosts.class).refresh();
    }

    @AfterAll
    static void stop() {
        cortex.close();
        plain.close();
        groq.close();
        ollama.close();
    }

    @BeforeEach
    void reset() {
        plain.reset();
        groq.reset();
        ollama.reset();
        plain.models("plain-model"); // a reset brings back the simulator's own list
        groq.models("llama-3.1-8b-instant", "llama-3.3-70b-versatile", SCOUT);
        plain.reply("plain answers");
        groq.reply("groq answers");
        ollama.reply("ollama answers");
    }

    private static ChatRequest request(String model, List<ChatMessage> messages, List<ToolSpec> tools) {
        return new ChatRequest(
                model,
                messages,
                false,
                false,
                null,
                null,
                null,
                64,
                List.of(),
                null,
                null,
                null,
                tools,
                null,
                null,
                ResponseFormat.TEXT);
    }

    private static List<ToolSpec> weatherTool() throws IOException {
        return List.of(new ToolSpec(
                "get_weather",
                "The weather in a city",
                Json.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"),
                null));
    }

    /** Sends a request down the chain as a front door does (the doors' parsing of tools and images is their own). */
    private static Exchange viaChain(ChatRequest request, RoutePreference preference) {
        ChatContext chat = new ChatContext(request, null, preference, ClientLink.NONE);
        chat.explainRoute(true);
        return cortex.context().createProducerTemplate().send("direct:chat", e -> e.getMessage()
                .setBody(chat));
    }

    private static ChatContext chat(Exchange e) {
        return e.getMessage().getBody(ChatContext.class);
    }

    private static long failedCalls(String provider) {
        return cortex.bean(provider + "Breaker", CircuitBreaker.class)
                .getMetrics()
                .getNumberOfFailedCalls();
    }

    @Test
    void aRequestOfferingToolsSkipsTheProviderWithoutToolsUncalled() throws IOException {
        Exchange e = viaChain(
                request(null, List.of(new ChatMessage("user", "weather in Paris?")), weatherTool()),
                RoutePreference.DEFAULT);

        assertThat(e.getException()).isNull();
        ChatContext chat = chat(e);
        assertThat(chat.result().provider()).isEqualTo("groq");
        assertThat(chat.route()).startsWith("plain(skip: no tools), groq");
        assertThat(chat.trail().toString()).isEqualTo("plain:no tools,groq:ok");
        assertThat(plain.chatCalls())
                .as("no call to a provider that cannot call tools")
                .isZero();
        assertThat(groq.lastChatRequest().body().path("model").asText()).isEqualTo("llama-3.1-8b-instant");
        assertThat(failedCalls("plain"))
                .as("the request's needs say nothing of plain's health")
                .isZero();
        assertThat(cortex.bean("plainBreaker", CircuitBreaker.class).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aProviderPassedOverForNeedsLeavesAnotherOnesRefusalTheVerdict() throws IOException {
        groq.fault(Fault.status(400));
        Exchange e = viaChain(
                request(null, List.of(new ChatMessage("user", "weather in Oslo?")), weatherTool()),
                new RoutePreference(null, List.of("plain", "groq")));

        assertThat(chat(e).trail().toString()).startsWith("plain:no tools,groq:");
        ChainVerdict verdict = ChainVerdict.of(chat(e).trail(), false);
        assertThat(verdict.status())
                .as("plain was not asked: groq's refusal of the request is the answer, not an outage")
                .isEqualTo(400);
        assertThat(verdict.code()).isEqualTo("rejected_by_provider");
    }

    @Test
    void anImageReachesOnlyAModelThatSees() {
        ImageInput png = new ImageInput("image/png", "iVBORw0KGgo=");
        Exchange e = viaChain(
                request(null, List.of(ChatMessage.user("what is this?", List.of(png))), List.of()),
                RoutePreference.DEFAULT);

        assertThat(e.getException()).as(chat(e).trail().toString()).isNull();
        assertThat(chat(e).route()).startsWith("plain(skip: no vision), groq");
        assertThat(plain.chatCalls()).isZero();
        // Groq's default (Llama 3.1) cannot see: its Llama 4 Scout answers instead
        assertThat(groq.lastChatRequest().body().path("model").asText()).isEqualTo(SCOUT);
        assertThat(chat(e).result().model()).isEqualTo(SCOUT);
    }

    @Test
    void aLongPromptSkipsTheSmallWindowAndSaysSoInTheRouteHeader() {
        String longText = "word ".repeat(400);
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                .header("Content-Type", "application/json")
                .header("X-Cortex-Explain", "true")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}"))
                .build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cortex-Route").orElseThrow())
                .startsWith("plain(skip: context too small), groq");
        assertThat(r.headers().firstValue("X-Cortex-Provider")).hasValue("groq");
        assertThat(plain.chatCalls()).isZero();

        HttpResponse<String> shortOne = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(shortOne.headers().firstValue("X-Cortex-Provider"))
                .as(
                        "a short prompt fits the small window: %s",
                        shortOne.headers().map())
                .hasValue("plain");
    }

    @Test
    void aRequestNoModelCanHoldIsRefusedAs400NotRetriedAnywhere() throws IOException {
        HttpResponse<String> r = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"max_tokens\":500000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = Json.parse(r.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("capability_unavailable");
        assertThat(error.path("message").asText())
                .contains("plain: context too small")
                .contains("groq: context too small")
                .contains("ollama: context too small")
                .contains("gemini could, but is switched off (no keys)") // a million tokens' window, no keys here
                .doesNotContain("cohere"); // too small as well: nothing to say about it
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        assertThat(plain.chatCalls() + groq.chatCalls() + ollama.chatCalls()).isZero();
        assertThat(failedCalls("plain") + failedCalls("groq") + failedCalls("ollama"))
                .isZero();
    }

    @Test
    void theRouteExplainerSaysWhichProvidersCannotServeANeed() throws IOException {
        JsonNode tools =
                Json.parse(Http.get(cortex.url("/api/route?needs=tools")).body());
        assertThat(tools.path("needs").toString()).isEqualTo("[\"tools\"]");
        JsonNode plainStep = tools.path("order").get(0);
        assertThat(plainStep.path("provider").asText()).isEqualTo("plain");
        assertThat(plainStep.path("action").asText()).isEqualTo("skip");
        assertThat(plainStep.path("reason").asText()).isEqualTo("no tools");
        assertThat(tools.path("order").get(1).path("action").asText()).isEqualTo("try");

        JsonNode vision = Json.parse(
                Http.get(cortex.url("/api/route?needs=vision&providers=ollama")).body());
        assertThat(vision.path("order").get(0).path("reason").asText()).isEqualTo("no vision");
        assertThat(vision.path("unservable").asText()).isEqualTo("ollama: no vision");

        JsonNode longOne =
                Json.parse(Http.get(cortex.url("/api/route?tokens=5000")).body());
        assertThat(longOne.path("order").get(0).path("reason").asText()).isEqualTo("context too small");

        assertThat(Http.get(cortex.url("/api/route?needs=telepathy")).statusCode())
                .isEqualTo(400);
    }

    @Test
    void theHealthReportShowsWhatEachModelCanDo() throws IOException {
        JsonNode providers =
                Json.parse(Http.get(cortex.url("/api/health")).body()).path("providers");

        JsonNode scout = providers.at("/groq/capabilities").path(SCOUT);
        assertThat(scout.path("can").toString()).isEqualTo("[\"tools\",\"json_schema\",\"vision\"]");
        assertThat(scout.path("context_window").asLong()).isEqualTo(131072);
        // Ollama's own word, from /api/show
        JsonNode qwen = providers.at("/ollama/capabilities").path("qwen2.5:0.5b");
        assertThat(qwen.path("can").toString()).isEqualTo("[\"json_schema\"]");
        assertThat(qwen.path("context_window").asLong()).isEqualTo(32768);
        assertThat(providers
                        .at("/ollama/capabilities")
                        .path("llama3.2:latest")
                        .path("can")
                        .toString())
                .contains("tools");
        assertThat(providers
                        .at("/plain/capabilities/plain-model/context_window")
                        .asLong())
                .isEqualTo(100);
    }

    @Test
    void ollamasOwnWordDecidesWhichOfItsModelsServes() throws IOException {
        // qwen2.5 completes but calls no tools (its /api/show): a tools request for it gets the default, llama3.2
        Exchange e = viaChain(
                request("qwen2.5:0.5b", List.of(new ChatMessage("user", "weather?")), weatherTool()),
                new RoutePreference(null, List.of("ollama")));

        assertThat(e.getException()).isNull();
        assertThat(chat(e).result().provider()).isEqualTo("ollama");
        assertThat(ollama.lastChatRequest().body().path("model").asText()).isEqualTo("llama3.2:latest");

        // no installed model sees images: nothing is called, and the caller hears why
        ImageInput png = new ImageInput("image/png", "iVBORw0KGgo=");
        Exchange refused = viaChain(
                request(null, List.of(ChatMessage.user("what is this?", List.of(png))), List.of()),
                new RoutePreference(null, List.of("ollama")));
        assertThat(refused.getException())
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("ollama: no vision");
        assertThat(((BadRequestException) refused.getException()).code()).isEqualTo("capability_unavailable");
        assertThat(ollama.chatCalls()).isEqualTo(1);
    }
}
