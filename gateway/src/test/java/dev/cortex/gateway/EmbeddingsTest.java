package dev.cortex.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.Fault;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Embeddings through the chain, from real clients (openai-java, LangChain4j, raw Ollama HTTP) to Ollama servers: two
 * hosts serve the same open model (nomic-embed-text, the family "nomic"), a third serves another one
 * (mxbai-embed-large). A request falls over between the two hosts of its model, and never to the other model, whose
 * vectors would not match the caller's.
 */
class EmbeddingsTest {

    static final long MB = 1024 * 1024;
    static final String NOMIC = "nomic-embed-text";

    @TempDir
    static Path dir;

    static OllamaSimulator first;
    static OllamaSimulator second;
    static OllamaSimulator other;
    static CortexServer cortex;

    @BeforeAll
    static void start() throws IOException {
        first = (OllamaSimulator) new OllamaSimulator().start();
        second = (OllamaSimulator) new OllamaSimulator().start();
        other = (OllamaSimulator) new OllamaSimulator().start();
        first.installModel(NOMIC, 274 * MB, "nomic-bert", "137M");
        second.models(NOMIC);
        other.models("mxbai-embed-large");
        ExtraProviders.copyPolicyInto(dir, List.of(), List.of("ollama2", "ollama3"));
        cortex = CortexServer.start(
                dir,
                Map.ofEntries(
                        Map.entry("provider.ollama.base-url", first.baseUrl()),
                        Map.entry("provider.ollama.models", "llama3.2"),
                        Map.entry("provider.ollama2.kind", "ollama"),
                        Map.entry("provider.ollama2.local", "true"),
                        Map.entry("provider.ollama2.base-url", second.baseUrl()),
                        Map.entry("provider.ollama2.models", NOMIC),
                        Map.entry("provider.ollama3.kind", "ollama"),
                        Map.entry("provider.ollama3.local", "true"),
                        Map.entry("provider.ollama3.base-url", other.baseUrl()),
                        Map.entry("provider.ollama3.models", "mxbai-embed-large"),
                        Map.entry("cortex.embeddings.family.nomic", "ollama/" + NOMIC + ", ollama2/" + NOMIC),
                        Map.entry("cortex.embeddings.default-family", "nomic"),
                        Map.entry("cortex.health.initial-delay-ms", "3600000")));
    }

    @AfterAll
    static void stop() {
        cortex.close();
        first.close();
        second.close();
        other.close();
    }

    @BeforeEach
    void reset() {
        for (OllamaSimulator sim : List.of(first, second, other)) {
            sim.reset();
            cortex.bean(name(sim) + "Breaker", CircuitBreaker.class).reset();
        }
    }

    private static String name(OllamaSimulator sim) {
        return sim == first ? "ollama" : sim == second ? "ollama2" : "ollama3";
    }

    private static OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey("any-key")
                .maxRetries(0)
                .build();
    }

    /** What the Ollama server itself answers for these texts: Cortex must pass the vectors on unchanged. */
    private static List<float[]> direct(OllamaSimulator sim, String model, List<String> texts) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode ask = Json.object().put("model", model);
        texts.forEach(ask.putArray("input")::add);
        JsonNode body = Json.parse(Http.post(sim.baseUrl() + "/api/embed", Json.MAPPER.writeValueAsString(ask))
                .body());
        return texts.stream()
                .map(t -> {
                    JsonNode v = body.path("embeddings").get(texts.indexOf(t));
                    float[] out = new float[v.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (float) v.get(i).asDouble();
                    }
                    return out;
                })
                .toList();
    }

    /**
     * How many embedding calls carried {@code text} (the warm-up timer loads an embedding model by embedding a word of
     * its own, so calls are told apart by what they carried).
     */
    private static long askedToEmbed(OllamaSimulator sim, String text) {
        return sim.chatRequests().stream()
                .map(r -> r.body().path("input"))
                .filter(input -> input.isArray()
                        ? java.util.stream.StreamSupport.stream(input.spliterator(), false)
                                .anyMatch(e -> e.asText().equals(text))
                        : input.asText().equals(text))
                .count();
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    @Test
    void theOpenAiSdkGetsOllamasVectorsInOpenAisShape() throws IOException {
        List<String> texts = List.of("the cat sat", "on the mat");
        CreateEmbeddingResponse r = openAi().embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model(NOMIC)
                        .inputOfArrayOfStrings(texts)
                        .build());

        List<float[]> expected = direct(first, NOMIC, texts);
        assertThat(r.data()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(r.data().get(i).index()).isEqualTo(i);
            assertThat(floats(r.data().get(i).embedding())).containsExactly(expected.get(i));
        }
        assertThat(r.data().get(0).embedding()).hasSize(768);
        assertThat(r.model()).isEqualTo(NOMIC + ":latest");
        assertThat(r.usage().promptTokens()).isPositive();
        assertThat(r.usage().totalTokens()).isEqualTo(r.usage().promptTokens());
        assertThat(first.lastChatRequest().body().path("model").asText()).isEqualTo(NOMIC);
        assertThat(askedToEmbed(other, "the cat sat")).isZero();
    }

    @Test
    void floatAndBase64EncodingsCarryTheSameVector() throws IOException {
        String body = "{\"model\":\"" + NOMIC + "\",\"input\":\"hello\",\"encoding_format\":\"%s\"}";
        JsonNode asFloats = Json.parse(
                Http.post(cortex.url("/v1/embeddings"), body.formatted("float")).body());
        HttpResponse<String> r = Http.post(cortex.url("/v1/embeddings"), body.formatted("base64"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode asBase64 = Json.parse(r.body());

        assertThat(asBase64.path("object").asText()).isEqualTo("list");
        assertThat(asBase64.at("/data/0/object").asText()).isEqualTo("embedding");
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder()
                        .decode(asBase64.at("/data/0/embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        JsonNode floats = asFloats.at("/data/0/embedding");
        assertThat(bytes.remaining()).isEqualTo(floats.size() * Float.BYTES);
        for (JsonNode x : floats) {
            assertThat(bytes.getFloat()).isEqualTo((float) x.asDouble());
        }
        assertThat(r.headers().firstValue("X-Cortex-Provider")).hasValue("ollama");
    }

    @Test
    void langChain4jsOpenAiEmbeddingModelWorksUnchanged() throws IOException {
        OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey("any-key")
                .modelName(NOMIC)
                .maxRetries(0)
                .build();

        Embedding e = model.embed("a sentence to remember").content();

        assertThat(e.vector())
                .containsExactly(
                        direct(first, NOMIC, List.of("a sentence to remember")).get(0));
    }

    @Test
    void theOllamaDoorAnswersInOllamasShape() throws IOException {
        HttpResponse<String> r = Http.post(
                cortex.url("/api/embed"), "{\"model\":\"" + NOMIC + "\",\"input\":[\"one\",\"two\",\"three\"]}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Json.parse(r.body());
        assertThat(body.path("embeddings")).hasSize(3);
        assertThat(body.at("/embeddings/2")).hasSize(768);
        assertThat(body.path("prompt_eval_count").asInt()).isPositive();
        assertThat(body.path("model").asText()).isEqualTo(NOMIC + ":latest");

        HttpResponse<String> noModel = Http.post(cortex.url("/api/embed"), "{\"input\":\"text\"}");
        assertThat(noModel.statusCode())
                .as("no model: the default family answers")
                .isEqualTo(200);
    }

    @Test
    void aFamilyFallsOverToTheOtherHostOfTheSameModel() {
        // loaded first (an embedding model loads by embedding, since it cannot generate), so the fault meets the call
        assertThat(Http.post(cortex.url("/v1/embeddings"), "{\"model\":\"nomic\",\"input\":\"warm\"}")
                        .headers()
                        .firstValue("X-Cortex-Attempts"))
                .hasValue("ollama:ok");
        first.fault(Fault.status(503));
        HttpResponse<String> r = Http.post(cortex.url("/v1/embeddings"), "{\"model\":\"nomic\",\"input\":\"hello\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).hasValue("ollama:503,ollama2:ok");
        assertThat(r.headers().firstValue("X-Cortex-Provider")).hasValue("ollama2");
        assertThat(second.lastChatRequest().body().path("model").asText()).isEqualTo(NOMIC);
        assertThat(askedToEmbed(other, "hello")).isZero();
    }

    @Test
    void neverFallsToAProviderServingAnotherModel() throws IOException {
        first.fault(Fault.status(503));
        second.fault(Fault.status(503));
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/embeddings")))
                .header("Content-Type", "application/json")
                .header("X-Cortex-Explain", "true")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"nomic\",\"input\":\"hello\"}"))
                .build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("X-Cortex-Route").orElseThrow())
                .contains("ollama3(skip: other embedding model)");
        assertThat(Json.parse(r.body()).at("/error/message").asText())
                .contains("ollama: ", "ollama2: ", "ollama3: other embedding model");
        assertThat(askedToEmbed(other, "hello"))
                .as("another model's vectors would not match the caller's")
                .isZero();
    }

    @Test
    void theRouteExplainerShowsAFamilysProviders() throws IOException {
        JsonNode plan = Json.parse(
                Http.get(cortex.url("/api/route?needs=embeddings&model=nomic")).body());
        Map<String, String> reasons = new java.util.HashMap<>();
        plan.path("order")
                .forEach(s -> reasons.put(
                        s.path("provider").asText(), s.path("reason").asText("try")));

        assertThat(reasons)
                .containsEntry("ollama", "try")
                .containsEntry("ollama2", "try")
                .containsEntry("ollama3", "other embedding model");
    }

    @Test
    void aModelNamedByItsProviderGoesThereOnly() {
        HttpResponse<String> r =
                Http.post(cortex.url("/api/embed"), "{\"model\":\"ollama2/" + NOMIC + "\",\"input\":\"hello\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cortex-Provider")).hasValue("ollama2");
        assertThat(askedToEmbed(first, "hello")).isZero();
    }

    @Test
    void unknownModelsAndBadInputAreRefusedWithTheirField() throws IOException {
        HttpResponse<String> unknown =
                Http.post(cortex.url("/v1/embeddings"), "{\"model\":\"no-such-embedder\",\"input\":\"x\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Json.parse(unknown.body()).at("/error/code").asText()).isEqualTo("model_not_found");
        assertThat(Json.parse(unknown.body()).at("/error/message").asText()).contains("no-such-embedder");

        HttpResponse<String> tokens =
                Http.post(cortex.url("/v1/embeddings"), "{\"model\":\"nomic\",\"input\":[[1,2,3]]}");
        assertThat(tokens.statusCode()).isEqualTo(400);
        assertThat(Json.parse(tokens.body()).at("/error/param").asText()).isEqualTo("input");

        HttpResponse<String> format = Http.post(
                cortex.url("/v1/embeddings"), "{\"model\":\"nomic\",\"input\":\"x\",\"encoding_format\":\"int8\"}");
        assertThat(Json.parse(format.body()).at("/error/param").asText()).isEqualTo("encoding_format");

        HttpResponse<String> stream =
                Http.post(cortex.url("/api/embed"), "{\"model\":\"nomic\",\"input\":\"x\",\"stream\":true}");
        assertThat(stream.statusCode()).isEqualTo(400);
        assertThat(Json.parse(stream.body()).path("error").asText()).contains("stream");

        // a chat model asked for vectors: skipped as unable, refused as such, never called
        HttpResponse<String> chatModel =
                Http.post(cortex.url("/api/embed"), "{\"model\":\"llama3.2\",\"input\":\"chat model\"}");
        assertThat(chatModel.statusCode()).as(chatModel.body()).isEqualTo(400);
        assertThat(Json.parse(chatModel.body()).path("error").asText()).contains("ollama: no embeddings");
        assertThat(askedToEmbed(first, "chat model")).isZero();
    }
}
