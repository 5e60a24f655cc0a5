package dev.cortex.gateway;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeout;

/** Bad input gets a clear error, with the right status, in the shape the caller's client reads. */
class BadInputTest {

    static CortexServer cortex;

    @BeforeAll
    static void start() {
        cortex = CortexServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        cortex.close();
    }

    private static JsonNode openAiError(String body, String expectedParam) throws Exception {
        var response = Http.post(cortex.url("/v1/chat/completions"), body);
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = Json.parse(response.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        if (expectedParam != null) {
            assertThat(error.get("param").asText()).isEqualTo(expectedParam);
        }
        return error;
    }

    @Test
    void openAiDoorNamesWhatIsWrong() throws Exception {
        assertThat(openAiError("{not json", null).get("message").asText()).contains("not valid JSON");
        assertThat(openAiError("{\"model\":\"x\"}", "messages").get("message").asText())
                .contains("required");
        assertThat(openAiError("{\"messages\":\"hi\"}", "messages")
                        .get("message")
                        .asText())
                .contains("array");
        assertThat(openAiError("{\"messages\":[]}", "messages").get("message").asText())
                .contains("at least one");
        openAiError("{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", "messages[0].role");
        openAiError("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}", "temperature");
        openAiError("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":7}", "temperature");
        openAiError("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1.5}", "max_tokens");
        openAiError("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":\"yes\"}", "stream");
        openAiError("[1,2]", null);
    }

    @Test
    void ollamaDoorAnswersInOllamaShape() throws Exception {
        var response = Http.post(
                cortex.url("/api/chat"),
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"options\":{\"num_predict\":\"many\"}}");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = Json.parse(response.body());
        assertThat(body.get("error").isTextual()).isTrue();
        assertThat(body.get("error").asText()).contains("options.num_predict");
        var missing = Http.post(cortex.url("/api/chat"), "{}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(Json.parse(missing.body()).get("error").asText()).contains("messages");
    }

    @Test
    void anOversizeBodyIs413() {
        String big = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}]}";
        assertThat(Http.post(cortex.url("/v1/chat/completions"), big).statusCode())
                .isEqualTo(413);
    }

    /** Just under the 4 MiB body limit: {@code start}, then {@code element} as often as fits, then {@code end}. */
    private static String nearlyFourMebibytes(String start, String element, String end) {
        int bytes = 4 * 1024 * 1024 - 1024;
        StringBuilder body = new StringBuilder(bytes).append(start);
        while (body.length() + element.length() + end.length() <= bytes) {
            body.append(element);
        }
        return body.append(end).toString();
    }

    @Test
    void aBodyOfManyTinyValuesIsRefusedWhileItIsParsedNamingTheLimit() throws Exception {
        String user = "{\"role\":\"user\",\"content\":\"hi\"}";
        assertTimeout(Duration.ofSeconds(10), () -> {
            assertThat(openAiError(nearlyFourMebibytes("{\"messages\":[", "{},", "{}]}"), "messages")
                            .get("message")
                            .asText())
                    .contains("more than 2048 messages");
            assertThat(openAiError(nearlyFourMebibytes("{\"messages\":[" + user + "],\"x\":[", "[1],", "[1]]}"), null)
                            .get("message")
                            .asText())
                    .contains("more than 50000 JSON values");
            assertThat(openAiError(nearlyFourMebibytes("", "[", ""), null)
                            .get("message")
                            .asText())
                    .contains("more than 32 levels deep");
        });
        String parts = "{\"type\":\"text\",\"text\":\"a\"},".repeat(257);
        openAiError(
                "{\"messages\":[{\"role\":\"user\",\"content\":[" + parts.substring(0, parts.length() - 1) + "]}]}",
                "messages[0].content");

        String images = "\"aGk=\",".repeat(257);
        var ollama = Http.post(
                cortex.url("/api/chat"),
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"images\":["
                        + images.substring(0, images.length() - 1) + "]}]}");
        assertThat(ollama.statusCode()).isEqualTo(400);
        assertThat(Json.parse(ollama.body()).get("error").asText()).contains("messages[0].images", "256 images");
    }

    private static HttpResponse<String> postWithHeaders(String... headers) {
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .headers(headers)
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build());
    }

    private static JsonNode headerError(String header, String... headers) throws Exception {
        var response = postWithHeaders(headers);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = Json.parse(response.body()).get("error");
        assertThat(error.get("param").asText()).isEqualTo(header);
        return error;
    }

    @Test
    void aBadValueOfAHeaderCortexReadsIsA400NamingTheHeader() throws Exception {
        assertThat(headerError("X-Cortex-Explain", "X-Cortex-Explain", "yes")
                        .get("message")
                        .asText())
                .contains("true or false");
        for (String yesOrNo : new String[] {"TRUE", "false", "1", "0"}) {
            assertThat(postWithHeaders("X-Cortex-Explain", yesOrNo).statusCode())
                    .as("X-Cortex-Explain: %s is read, and the request goes on (to no provider)", yesOrNo)
                    .isEqualTo(503);
        }
        assertThat(headerError("X-Cortex-Strategy", "X-Cortex-Strategy", "fastest")
                        .get("message")
                        .asText())
                .contains("Unknown strategy");
        headerError("X-Cortex-Strategy", "X-Cortex-Strategy", "local\tfirst");
        assertThat(headerError("X-Cortex-Provider", "X-Cortex-Provider", "g".repeat(257))
                        .get("message")
                        .asText())
                .contains("longer than 256");
        headerError("X-Cortex-Providers", "X-Cortex-Providers", "groq,\tollama");
        headerError("X-Cortex-Provider", "X-Cortex-Provider", "groq", "X-Cortex-Provider", "ollama");
        headerError("X-Cortex-Provider", "X-Cortex-Provider", "groq", "X-Cortex-Providers", "groq,ollama");

        // the route explainer's query parameters are held to the same rule
        var longQuery = Http.get(cortex.url("/api/route?strategy=" + "h".repeat(257)));
        assertThat(longQuery.statusCode()).isEqualTo(400);
        assertThat(longQuery.body()).contains("'strategy' is longer than 256");
        var controlQuery = Http.get(cortex.url("/api/route?providers=groq%01ollama"));
        assertThat(controlQuery.statusCode()).isEqualTo(400);
        assertThat(controlQuery.body()).contains("'providers' holds a control character");
    }

    @Test
    void unknownRoutesAre404InTheirApisShape() throws Exception {
        var v1 = Http.get(cortex.url("/v1/nothing"));
        assertThat(v1.statusCode()).isEqualTo(404);
        assertThat(Json.parse(v1.body()).at("/error/code").asText()).isEqualTo("not_found");
        var api = Http.get(cortex.url("/api/nothing"));
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(Json.parse(api.body()).get("error").isTextual()).isTrue();
    }

    private static JsonNode health() {
        try {
            return Json.parse(Http.get(cortex.url("/api/health")).body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The Ollama configured here listens nowhere: once its first probe has run, it is known to be down. */
    private static void ollamaProbed() {
        await("Ollama's first probe")
                .atMost(Duration.ofSeconds(10))
                .until(() -> health().at("/providers/ollama/last_probe").isTextual());
    }

    @Test
    void noProviderAtAllIs503WithEveryReason() throws Exception {
        ollamaProbed();
        var response = Http.post(
                cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.statusCode()).isEqualTo(503);
        String message = Json.parse(response.body()).at("/error/message").asText();
        // Ollama's probe failed, but it is the last provider left: it is asked all the same, and is not there
        assertThat(message).contains("groq: disabled", "gemini: disabled", "cohere: disabled", "ollama: connect");
        assertThat(response.headers().firstValue("X-Cortex-Attempts")).contains("ollama:connect");
    }

    @Test
    void healthSaysNoOneCanServeAndCamelsHealthCheckAgrees() throws Exception {
        ollamaProbed();
        var response = Http.get(cortex.url("/api/health"));
        assertThat(response.statusCode()).as("no provider can serve").isEqualTo(503);
        JsonNode body = Json.parse(response.body());
        assertThat(body.at("/providers/groq/health").asText()).isEqualTo("disabled");
        assertThat(body.at("/providers/ollama/enabled").asBoolean()).isTrue();
        assertThat(body.at("/providers/ollama/health").asText()).isEqualTo("unavailable");
        assertThat(body.at("/providers/ollama/probe_ok").asBoolean()).isFalse();

        var observe = Http.get(cortex.managementUrl("/observe/health"));
        assertThat(observe.statusCode())
                .as("Camel's own health endpoint: DOWN too")
                .isEqualTo(503);
        assertThat(observe.body()).contains("DOWN");
        var live = Http.get(cortex.managementUrl("/observe/health/live"));
        assertThat(live.statusCode())
                .as("liveness (the Docker images' health check) does not depend on the providers")
                .isEqualTo(200);
        assertThat(live.body()).contains("UP").doesNotContain("providers");
    }
}
