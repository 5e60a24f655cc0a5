package dev.cortex.sim;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A profile with {@code slow-every:3:400}, started as the CLI starts it, makes calls 3 and 6 to its model wait 400 ms
 * more before their first token and answers the others at once: streamed (Groq's SSE, timed to the first content
 * chunk, after the role chunk sent up front) and whole (Ollama's answer, timed to its end; its profile is set on the
 * simulator, as Ollama's tagged model name is not one a CLI profile can have). Each wire is warmed up first by a
 * call to another model (which the profile does not count), so that call 1 does not pay for the first connection.
 * The bound for a fast call is generous (the machine is shared and noisy); the slow ones are never under 400 ms.
 */
class SlowEveryTest {

    private static final String MODEL = "bench-tail";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static Map<String, ProviderSimulator> sims;

    @BeforeAll
    static void start() {
        sims = SimulatorMain.start("--groq", "0", "--ollama", "0", "--profiles", MODEL + ":0:0:4:slow-every:3:400");
        // Ollama names the model asked for with its tag (bench-tail:latest), which a CLI profile's name cannot carry
        sims.get("ollama")
                .profile(
                        MODEL + ":latest",
                        Profile.parse(MODEL + ":0:0:4:slow-every:3:400").getValue());
    }

    @AfterAll
    static void stop() {
        sims.values().forEach(ProviderSimulator::close);
    }

    @Test
    void theProfileSaysEveryThirdCallIs400msSlower() {
        var profile = Profile.parse(MODEL + ":0:0:4:slow-every:3:400").getValue();
        assertThat(profile.fault()).isEqualTo(new Fault.SlowEvery(3, Duration.ofMillis(400)));
        assertThat(Fault.parse("slow-every:5:1000")).isEqualTo(new Fault.SlowEvery(5, Duration.ofMillis(1000)));

        Knobs knobs = new Knobs();
        knobs.reset(List.of());
        List<Fault> met = new ArrayList<>();
        for (int call = 1; call <= 6; call++) {
            met.add(knobs.profileFault(MODEL, profile.fault()));
            if (call == 2) {
                assertThat(knobs.profileFault("other-model", profile.fault()))
                        .as("counted per model: another model's first call")
                        .isNull();
            }
        }
        Fault slow = new Fault.SlowFirstToken(Duration.ofMillis(400));
        assertThat(met).containsExactly(null, null, slow, null, null, slow);
    }

    @Test
    void groqStreamsEveryThirdCallsFirstToken400msLater() throws Exception {
        groqFirstTokenMillis("llama-3.1-8b-instant", "This"); // warm-up: another model, not counted for the profile
        List<Long> millis = new ArrayList<>();
        for (int call = 1; call <= 6; call++) {
            millis.add(groqFirstTokenMillis(MODEL, "word1"));
        }
        assertEveryThirdSlow(millis);
    }

    /** Milliseconds from sending a streamed chat to the SSE line carrying {@code firstToken}. */
    private static long groqFirstTokenMillis(String model, String firstToken) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
        long start = System.nanoTime();
        HttpResponse<Stream<String>> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(sims.get("groq").baseUrl() + "/chat/completions"))
                        .header("Authorization", "Bearer gsk_slow_every_key")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        try (Stream<String> lines = r.body()) {
            assertThat(lines.filter(l -> l.contains(firstToken)).findFirst())
                    .as("%s's first token", model)
                    .isPresent();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void ollamaAnswersEveryThirdWholeCall400msLater() throws Exception {
        ollamaAnswerMillis("llama3.2", "This answer"); // warm-up: another model, not counted for the profile
        List<Long> millis = new ArrayList<>();
        for (int call = 1; call <= 6; call++) {
            millis.add(ollamaAnswerMillis(MODEL, "word1 word2 word3 word4"));
        }
        assertEveryThirdSlow(millis);
    }

    /** Milliseconds from sending a whole (not streamed) chat to having its answer, which must contain {@code text}. */
    private static long ollamaAnswerMillis(String model, String text) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
        long start = System.nanoTime();
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(sims.get("ollama").baseUrl() + "/api/chat"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains(text);
        return millis;
    }

    private static void assertEveryThirdSlow(List<Long> millis) {
        for (int call = 1; call <= millis.size(); call++) {
            long ms = millis.get(call - 1);
            if (call % 3 == 0) {
                assertThat(ms)
                        .as("call %d (slow) took %d ms: %s", call, ms, millis)
                        .isGreaterThanOrEqualTo(400);
            } else {
                assertThat(ms)
                        .as("call %d (fast) took %d ms: %s", call, ms, millis)
                        .isLessThan(300);
            }
        }
    }
}
