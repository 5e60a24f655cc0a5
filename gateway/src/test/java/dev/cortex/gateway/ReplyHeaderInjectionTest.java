package dev.cortex.gateway;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.GroqSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model name is the provider's (and, in the route plan, the caller's) text, and it reaches the response head: one
 * with a CR LF and a header after it, and a character beyond ASCII, is written without either, and the answer is
 * served as usual, streamed or not.
 */
class ReplyHeaderInjectionTest {

    /** Groq's simulator serves it and answers with it as the model it used. */
    private static final String MODEL = "llama\r\nSet-Cookie: x=1\u00e9";

    private static final String IN_A_HEADER = "llamaSet-Cookie: x=1?";

    static GroqSimulator groq;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        groq.models("llama-3.1-8b-instant", MODEL).reply("an answer");
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key",
                "gsk_test_header_key_0001",
                "provider.groq.base-url",
                groq.baseUrl(),
                // groq/<model> reaches only the models configured for Groq
                "provider.groq.models",
                "llama-3.1-8b-instant," + MODEL));
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
    }

    /** Asks for the model on Groq by name, and for the route plan, which names the model asked for. */
    private static HttpResponse<String> ask(boolean stream) {
        String body = "{\"model\":" + Json.MAPPER.valueToTree("groq/" + MODEL) + ",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Cortex-Explain", "true")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static void assertHeadIsClean(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Set-Cookie"))
                .as("no header of the sender's making")
                .isEmpty();
        assertThat(response.headers().firstValue("X-Cortex-Provider")).hasValue("groq");
        assertThat(response.headers().firstValue("X-Cortex-Model")).hasValue(IN_A_HEADER);
        assertThat(response.headers().firstValue("X-Cortex-Route"))
                .hasValueSatisfying(route -> assertThat(route).startsWith("groq(serves groq/" + IN_A_HEADER + ")"));
    }

    @Test
    void aCompleteAnswerCarriesTheModelNameStrippedInItsHeadAndAsSentInItsBody() throws Exception {
        HttpResponse<String> response = ask(false);
        assertHeadIsClean(response);
        var body = Json.parse(response.body());
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("an answer");
        assertThat(body.get("model").asText())
                .as("JSON carries any text safely")
                .isEqualTo(MODEL);
    }

    @Test
    void aStreamedAnswerCarriesTheModelNameStrippedInItsHead() {
        HttpResponse<String> response = ask(true);
        assertHeadIsClean(response);
        assertThat(response.body()).contains("\"content\":\"an\"").endsWith("data: [DONE]\n\n");
    }
}
