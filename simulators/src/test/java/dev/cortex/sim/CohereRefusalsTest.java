package dev.cortex.sim;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Cohere simulator refuses what Cohere refuses in OpenAI-shaped requests that an SDK for Cohere cannot send (and
 * a gateway translating OpenAI's shapes could): OpenAI's {@code tool_choice} words, OpenAI's per-function
 * {@code strict}, a tool result that answers no call, an image part without its URL, an embedding request without
 * v2's required fields.
 */
class CohereRefusalsTest {

    static CohereSimulator cohere;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";

    @BeforeAll
    static void start() {
        cohere = (CohereSimulator) new CohereSimulator().start();
    }

    @BeforeEach
    void reset() {
        cohere.reset();
    }

    @AfterAll
    static void stop() {
        cohere.close();
    }

    private record Reply(int status, JsonNode body) {}

    private static Reply post(String path, String body) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(cohere.baseUrl() + path))
                        .header("Authorization", "Bearer co-refusals-key")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), Json.parse(r.body()));
    }

    private static Reply chat(String extra) throws Exception {
        return post(
                "/v2/chat",
                "{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris\"}]"
                        + extra + "}");
    }

    @Test
    void openAisToolChoiceWordsAreNotCoheres() throws Exception {
        Reply auto = chat(",\"tools\":" + TOOLS + ",\"tool_choice\":\"auto\"");
        assertThat(auto.status()).isEqualTo(400);
        assertThat(auto.body().path("message").asText()).contains("tool_choice");
        assertThat(chat(",\"tools\":" + TOOLS + ",\"tool_choice\":\"REQUIRED\"").status())
                .isEqualTo(200);
        assertThat(chat(",\"tool_choice\":\"NONE\"").status())
                .as("a tool choice without tools")
                .isEqualTo(400);
    }

    @Test
    void fieldsCohereDoesNotKnowAreItsUnknownField422() throws Exception {
        String strictTool = TOOLS.replace("\"name\":\"get_weather\",", "\"name\":\"get_weather\",\"strict\":true,");
        Reply strict = chat(",\"tools\":" + strictTool);
        assertThat(strict.status()).isEqualTo(422);
        assertThat(strict.body().path("message").asText()).contains("unknown field", "strict");
        Reply parallel = chat(",\"parallel_tool_calls\":false");
        assertThat(parallel.status()).isEqualTo(422);
        assertThat(parallel.body().path("message").asText()).contains("parallel_tool_calls");
        assertThat(chat(",\"tools\":" + TOOLS + ",\"strict_tools\":true").status())
                .isEqualTo(200);
    }

    @Test
    void aToolResultMustAnswerACallMadeBeforeIt() throws Exception {
        String orphan = "{\"model\":\"command-a-03-2025\",\"tools\":" + TOOLS + ",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"nobody\",\"content\":\"18 degrees\"}]}";
        Reply r = post("/v2/chat", orphan);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("message").asText()).contains("tool_call_id 'nobody'");
    }

    @Test
    void anImagePartNeedsItsUrl() throws Exception {
        String image = "{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"What is this?\"},{\"type\":\"image_url\",\"image_url\":%s}]}]}";
        assertThat(post("/v2/chat", image.formatted("{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}"))
                        .status())
                .isEqualTo(200);
        Reply noUrl = post("/v2/chat", image.formatted("{}"));
        assertThat(noUrl.status()).isEqualTo(400);
        assertThat(noUrl.body().path("message").asText()).contains("image_url.url");
    }

    @Test
    void embedRequestsNeedV2sRequiredFields() throws Exception {
        Reply noType =
                post("/v2/embed", "{\"model\":\"embed-v4.0\",\"texts\":[\"tea\"],\"embedding_types\":[\"float\"]}");
        assertThat(noType.status()).isEqualTo(400);
        assertThat(noType.body().path("message").asText()).contains("input_type");
        Reply noTypes =
                post("/v2/embed", "{\"model\":\"embed-v4.0\",\"texts\":[\"tea\"],\"input_type\":\"search_query\"}");
        assertThat(noTypes.status()).isEqualTo(400);
        assertThat(noTypes.body().path("message").asText()).contains("embedding_types");
        Reply odd = post(
                "/v2/embed",
                "{\"model\":\"embed-v4.0\",\"texts\":[\"tea\"],\"input_type\":\"search_query\","
                        + "\"embedding_types\":[\"float\"],\"output_dimension\":768}");
        assertThat(odd.status()).isEqualTo(400);
        assertThat(odd.body().path("message").asText()).contains("output_dimension");
        Reply ok = post(
                "/v2/embed",
                "{\"model\":\"embed-v4.0\",\"texts\":[\"tea\"],\"input_type\":\"search_query\","
                        + "\"embedding_types\":[\"float\"],\"truncate\":\"NONE\"}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().path("embeddings").path("float").get(0).size()).isPositive();
    }

    @Test
    void chatModelsChatAndEmbeddingModelsEmbed() throws Exception {
        Reply chatWithEmbedder =
                post("/v2/chat", "{\"model\":\"embed-v4.0\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(chatWithEmbedder.status()).isEqualTo(400);
        assertThat(chatWithEmbedder.body().path("message").asText()).contains("embed-v4.0", "chat");
        Reply embedWithChatModel = post(
                "/v2/embed",
                "{\"model\":\"command-a-03-2025\",\"texts\":[\"tea\"],\"input_type\":\"search_query\","
                        + "\"embedding_types\":[\"float\"]}");
        assertThat(embedWithChatModel.status()).isEqualTo(400);
        assertThat(embedWithChatModel.body().path("message").asText()).contains("command-a-03-2025", "embed");
    }

    @Test
    void theModelListSaysWhichModelsChatAndWhichEmbed() throws Exception {
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(cohere.baseUrl() + "/v1/models?endpoint=chat"))
                        .header("Authorization", "Bearer co-refusals-key")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode chat = Json.parse(r.body());
        assertThat(chat.findValuesAsText("name")).contains("command-a-03-2025").doesNotContain("embed-v4.0");
        HttpResponse<byte[]> all = HTTP.send(
                HttpRequest.newBuilder(URI.create(cohere.baseUrl() + "/v1/models"))
                        .header("Authorization", "Bearer co-refusals-key")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode models = Json.parse(all.body()).path("models");
        for (JsonNode m : models) {
            assertThat(m.path("endpoints").get(0).asText())
                    .isEqualTo(m.path("name").asText().startsWith("embed-") ? "embed" : "chat");
        }
        assertThat(models.findValuesAsText("name")).contains("embed-v4.0", "command-r-08-2024");
    }
}
