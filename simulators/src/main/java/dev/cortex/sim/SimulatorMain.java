package dev.cortex.sim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs provider simulators as a process of their own, for the demo, fault drills and benchmarks:
 * <pre>
 *   java -cp cortex.jar dev.cortex.sim.SimulatorMain --groq 9101 --gemini 9102 --cohere 9103 --ollama 9104 \
 *        --scenario nightmare [--reply "text"] [--first-token-ms N] [--chunk-gap-ms N]
 *        [--profiles name:firstTokenMs:chunkGapMs:words[:fault],...]
 *        (a profile's fault may be silence-after:N: its first N requests answered, the later ones silent;
 *        or slow-every:N:MS: every N-th request (N, 2N, ...) MS ms later to its first token, the others as usual)
 *        [--hold-once MARKER] [--pullable model,...]
 *        [--bind ADDRESS]
 * </pre>
 * Scenarios: {@code healthy} (every simulator answers), {@code nightmare} (the seed's: Groq 429, Gemini quota,
 * Cohere 503, Ollama answers). A port of 0 picks a free one. {@code --hold-once} holds the first chat request for
 * each distinct prompt containing the marker, unanswered for as long as the simulator runs, and answers a repeat of
 * it (a redelivery) at once: a request in flight for as long as a drill needs, e.g. to stop a gateway mid-request.
 * {@code --pullable} names models the Ollama simulator's {@code /api/pull} can fetch (1 GB each). {@code --bind}
 * listens on that address instead of 127.0.0.1 (0.0.0.0: a simulator in a container, for the others). Each serves
 * HTTP/1.1 and h2c (prior knowledge or upgrade) on its port; {@code /_sim/stats} counts its connections. Prints each
 * simulator's base URL and the exports that point Cortex at them, then runs until killed.
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, ProviderSimulator> sims;
        try {
            sims = start(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("==================================================================");
        System.out.println(" SIMULATED providers (no real LLM is called)");
        sims.forEach((name, sim) -> System.out.printf(" %-7s %s%n", name, sim.baseUrl()));
        System.out.println("==================================================================");
        sims.forEach((name, sim) -> System.out.println("export " + name.toUpperCase() + "_BASE_URL=" + sim.baseUrl()));
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** Starts the simulators the arguments name, in the scenario they ask for. */
    public static Map<String, ProviderSimulator> start(String... args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String scenario = opts.getOrDefault("scenario", "healthy");
        Map<String, ProviderSimulator> sims = new LinkedHashMap<>();
        for (String name : new String[] {"groq", "gemini", "cohere", "ollama"}) {
            if (opts.containsKey(name)) {
                ProviderSimulator sim =
                        switch (name) {
                            case "groq" -> new GroqSimulator();
                            case "gemini" -> new GeminiSimulator();
                            case "cohere" -> new CohereSimulator();
                            default -> new OllamaSimulator();
                        };
                sim.start(opts.getOrDefault("bind", "127.0.0.1"), Integer.parseInt(opts.get(name)));
                sims.put(name, sim);
            }
        }
        if (sims.isEmpty()) {
            throw new IllegalArgumentException(
                    "Name at least one simulator: --groq PORT --gemini PORT --cohere PORT --ollama PORT");
        }
        sims.forEach((name, sim) -> {
            sim.reply(opts.getOrDefault("reply", "This answer comes from the simulated " + name + " provider."));
            sim.firstTokenDelay(Duration.ofMillis(Long.parseLong(opts.getOrDefault("first-token-ms", "0"))));
            sim.chunkGap(Duration.ofMillis(Long.parseLong(opts.getOrDefault("chunk-gap-ms", "0"))));
        });
        for (String spec : opts.getOrDefault("profiles", "").split(",")) {
            if (!spec.isBlank()) {
                Map.Entry<String, Profile> p = Profile.parse(spec.trim());
                sims.values().forEach(sim -> sim.profile(p.getKey(), p.getValue()));
            }
        }
        String marker = opts.get("hold-once");
        if (marker != null && !marker.isBlank()) {
            sims.values().forEach(sim -> sim.holdOnce(marker));
        }
        if (sims.get("ollama") instanceof OllamaSimulator ollama) {
            for (String model : opts.getOrDefault("pullable", "").split(",")) {
                if (!model.isBlank()) {
                    ollama.pullable(model.trim(), 1000L * 1024 * 1024, family(model.trim()));
                }
            }
        }
        if (scenario.equals("nightmare")) {
            apply(sims, "groq", Fault.rateLimited(Duration.ofSeconds(30)));
            apply(sims, "gemini", Fault.rateLimited(Duration.ofSeconds(30)));
            apply(sims, "cohere", Fault.status(503));
        } else if (!scenario.equals("healthy")) {
            sims.values().forEach(ProviderSimulator::close);
            throw new IllegalArgumentException("Unknown scenario '" + scenario + "': use healthy or nightmare");
        }
        return sims;
    }

    /** A model's family as Ollama names it: the letters its name starts with ({@code qwen} for qwen2.5:1.5b). */
    private static String family(String model) {
        String letters = model.replaceFirst("[^a-zA-Z].*$", "");
        return letters.isEmpty() ? model : letters;
    }

    private static void apply(Map<String, ProviderSimulator> sims, String name, Fault fault) {
        ProviderSimulator sim = sims.get(name);
        if (sim != null) {
            sim.fault(fault);
        }
    }
}
