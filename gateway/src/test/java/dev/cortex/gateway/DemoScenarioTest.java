package dev.cortex.gateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.ProviderSimulator;
import dev.cortex.sim.SimulatorMain;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's set-up (scripts/demo.sh): simulators in the seed's nightmare, Cortex in front, the chain seen failing over. */
class DemoScenarioTest {

    @Test
    void theNightmareScenarioShowsTheWholeFailOver() throws Exception {
        Map<String, ProviderSimulator> sims = SimulatorMain.start(
                "--groq", "0", "--gemini", "0", "--cohere", "0", "--ollama", "0", "--scenario", "nightmare");
        try (CortexServer cortex = CortexServer.start(Map.of(
                "provider.groq.api-key",
                "gsk_simulated_demo_key",
                "provider.groq.base-url",
                sims.get("groq").baseUrl(),
                "provider.gemini.api-key",
                "simulated-demo-key",
                "provider.gemini.base-url",
                sims.get("gemini").baseUrl(),
                "provider.cohere.api-key",
                "simulated-demo-key",
                "provider.cohere.base-url",
                sims.get("cohere").baseUrl(),
                "provider.ollama.base-url",
                sims.get("ollama").baseUrl()))) {
            Http.Stream s =
                    Http.stream(cortex.url("/api/chat"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}]}");
            assertThat(s.header("X-Cortex-Attempts")).isEqualTo("groq:429,gemini:quota,cohere:503,ollama:ok");
            StringBuilder text = new StringBuilder();
            s.lines().forEach(l -> {
                try {
                    text.append(Json.parse(l).at("/message/content").asText());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(text.toString()).isEqualTo("This answer comes from the simulated ollama provider.");
        } finally {
            sims.values().forEach(ProviderSimulator::close);
        }
    }
}
