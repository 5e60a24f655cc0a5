import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The client of scripts/compare-providers.sh: the same prompt through Cortex, pinned to one provider and model at a
 * time, streamed (OpenAI SSE), timed here; then what Cortex itself measured (GET /api/health) and the order
 * speed_first would take (GET /api/route), compared with the order these runs measured.
 *
 *   CompareProviders BASE_URL RUNS MODELS PROMPT
 *
 * MODELS: empty for every model of every enabled provider (GET /v1/models), else a comma-separated list of
 * provider/model or bare model names. The gateway key, if any, comes from the environment (CORTEX_COMPARE_KEY), never
 * from the command line, where other users of the machine could read it.
 */
public final class CompareProviders {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two first-token medians closer than this (relative, or absolute below) are the same speed within noise. */
    private static final double NOISE_SHARE = 0.10;
    private static final long NOISE_MS = 15;

    record Target(String provider, String model) {}

    /** One streamed answer; times in microseconds from the request's start; tokens -1 when the stream gave no usage. */
    record Run(long ttftUs, long totalUs, int tokens, int chunks, String error) {}

    private final String base;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private CompareProviders(String base, String key) {
        this.base = base.replaceAll("/+$", "");
        this.key = key;
    }

    public static void main(String[] args) throws Exception {
        String key = System.getenv("CORTEX_COMPARE_KEY");
        CompareProviders c = new CompareProviders(args[0], key == null || key.isBlank() ? null : key);
        System.exit(c.compare(Integer.parseInt(args[1]), args[2], args[3]));
    }

    private int compare(int runs, String models, String prompt) throws Exception {
        List<Target> targets = targets(models);
        if (targets.isEmpty()) {
            System.err.println("No enabled provider serves a model to compare (GET /v1/models is empty).");
            return 1;
        }
        long providers = targets.stream().map(Target::provider).distinct().count();
        System.out.printf("Comparing %d model(s) of %d provider(s) through Cortex at %s: %d streamed run(s) each, after "
                + "one warm-up each (not counted), in rounds.%n", targets.size(), providers, base, runs);
        Map<Target, List<Run>> results = new LinkedHashMap<>();
        Map<String, Integer> answered = new LinkedHashMap<>(); // per provider, warm-ups too: what Cortex timed
        for (Target t : targets) {
            // the first request of each model pays for connections, a cold model (Ollama loads it) and the JIT
            Run warm = stream(t, prompt);
            if (warm.error() != null) {
                System.err.printf("  warm-up %s / %s failed: %s%n", t.provider(), t.model(), warm.error());
            } else {
                answered.merge(t.provider(), 1, Integer::sum);
            }
            results.put(t, new ArrayList<>());
        }
        for (int round = 1; round <= runs; round++) {
            System.err.printf("  round %d of %d ...%n", round, runs);
            // interleaved, so a provider's slow minute (or the machine's) is shared by all instead of hitting one
            for (Target t : targets) {
                results.get(t).add(stream(t, prompt));
            }
        }
        results.forEach((t, rs) -> answered.merge(t.provider(), (int) rs.stream().filter(r -> r.error() == null).count(),
                Integer::sum));
        printModels(results);
        return printOrders(results, answered);
    }

    // ---- what to compare ----

    private List<Target> targets(String wanted) throws IOException, InterruptedException {
        List<Target> served = new ArrayList<>();
        for (JsonNode m : get("/v1/models").path("data")) {
            served.add(new Target(m.path("owned_by").asText(), m.path("id").asText()));
        }
        served.sort(Comparator.comparing(Target::provider)); // each provider's models together, in its own order
        if (wanted.isBlank()) {
            return served;
        }
        List<Target> out = new ArrayList<>();
        for (String w : wanted.split(",")) {
            String name = w.trim();
            if (name.isEmpty()) {
                continue;
            }
            int slash = name.indexOf('/');
            String provider = slash > 0 && served.stream().anyMatch(s -> s.provider().equals(name.substring(0, slash)))
                    ? name.substring(0, slash)
                    : null;
            String model = provider == null ? name : name.substring(slash + 1);
            List<Target> match = served.stream()
                    .filter(s -> provider == null || s.provider().equals(provider))
                    .filter(s -> s.model().equals(model) || s.model().equals(model + ":latest"))
                    .toList();
            if (match.isEmpty() && provider != null) {
                out.add(new Target(provider, model)); // not listed (yet): the provider may still serve it; let it say
            } else if (match.isEmpty()) {
                throw new IllegalArgumentException("No enabled provider lists the model '" + model
                        + "'; name it as provider/model, or see GET /v1/models.");
            } else {
                out.addAll(match);
            }
        }
        return out;
    }

    // ---- one streamed answer ----

    private Run stream(Target t, String prompt) {
        ObjectNode body = JSON.createObjectNode().put("model", t.model()).put("provider", t.provider()).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (key != null) {
            req.header("Authorization", "Bearer " + key);
        }
        long start = System.nanoTime();
        long ttft = -1;
        int tokens = -1, chunks = 0;
        try {
            HttpResponse<InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                if (resp.statusCode() != 200) {
                    return failed(resp.statusCode() + " " + errorText(in.lines().collect(Collectors.joining("\n"))));
                }
                boolean done = false;
                for (String line; (line = in.readLine()) != null; ) {
                    long now = System.nanoTime(); // taken before parsing, so the parse is not counted
                    if (!line.startsWith("data:")) {
                        continue;
                    }
                    String data = line.substring(5).trim();
                    if (data.equals("[DONE]")) {
                        done = true;
                        continue;
                    }
                    JsonNode chunk = JSON.readTree(data);
                    if (chunk.has("error")) {
                        return failed("error in the stream: " + errorText(data));
                    }
                    // the first chunk often carries only the role and an empty content: not a token yet
                    String content = chunk.path("choices").path(0).path("delta").path("content").asText("");
                    if (!content.isEmpty()) {
                        chunks++;
                        if (ttft < 0) {
                            ttft = (now - start) / 1000;
                        }
                    }
                    if (chunk.path("usage").has("completion_tokens")) {
                        tokens = chunk.path("usage").path("completion_tokens").asInt();
                    }
                }
                long total = (System.nanoTime() - start) / 1000;
                if (!done) {
                    return failed("the stream ended without [DONE]");
                }
                if (ttft < 0) {
                    return failed("no content in the answer");
                }
                return new Run(ttft, total, tokens, chunks, null);
            }
        } catch (IOException e) {
            return failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("interrupted");
        }
    }

    private static Run failed(String why) {
        return new Run(-1, -1, -1, 0, why);
    }

    /** The message of an OpenAI-shaped error body (Cortex's errors never carry a key), else the body's start. */
    private static String errorText(String body) {
        try {
            JsonNode e = JSON.readTree(body).path("error");
            String m = e.isTextual() ? e.asText() : e.path("message").asText("");
            if (!m.isEmpty()) {
                return m.length() > 160 ? m.substring(0, 160) + "..." : m;
            }
        } catch (IOException ignored) {
            // not JSON: show its start below
        }
        return body.length() > 160 ? body.substring(0, 160) + "..." : body;
    }

    // ---- the report ----

    private static void printModels(Map<Target, List<Run>> results) {
        System.out.println();
        System.out.printf("%-10s %-28s %5s %12s %12s %22s%n", "provider", "model", "ok", "first token", "total", "output rate");
        boolean chunksUsed = false;
        for (Map.Entry<Target, List<Run>> e : results.entrySet()) {
            List<Run> ok = e.getValue().stream().filter(r -> r.error() == null).toList();
            String okText = ok.size() + "/" + e.getValue().size();
            if (ok.isEmpty()) {
                System.out.printf("%-10s %-28s %5s   failed: %s%n", e.getKey().provider(), e.getKey().model(), okText,
                        e.getValue().get(e.getValue().size() - 1).error());
                continue;
            }
            boolean usage = ok.stream().allMatch(r -> r.tokens() >= 0);
            chunksUsed |= !usage;
            // the rate after the first token: how fast the answer is written, apart from how long it took to start
            List<Double> rates = ok.stream()
                    .filter(r -> r.totalUs() > r.ttftUs())
                    .map(r -> (usage ? r.tokens() : r.chunks()) / ((r.totalUs() - r.ttftUs()) / 1e6))
                    .toList();
            String rate = rates.isEmpty() ? "one chunk" : String.format("%.0f %s", medianD(rates),
                    usage ? "tok/s (usage)" : "chunks/s (counted)");
            System.out.printf("%-10s %-28s %5s %9d ms %9d ms %22s%n", e.getKey().provider(), e.getKey().model(), okText,
                    median(ok.stream().map(Run::ttftUs).toList()) / 1000, median(ok.stream().map(Run::totalUs).toList()) / 1000,
                    rate);
        }
        System.out.println("first token and total: medians, measured by this client (first non-empty content chunk, not "
                + "the headers); output rate: output tokens / time after the first token"
                + (chunksUsed ? ", from counted chunks where the stream gave no usage" : ", from the stream's usage"));
    }

    private int printOrders(Map<Target, List<Run>> results, Map<String, Integer> answered) throws IOException, InterruptedException {
        // per provider, every run of every one of its models: speed_first ranks providers, not models
        Map<String, List<Run>> byProvider = new LinkedHashMap<>();
        results.forEach((t, runs) -> byProvider.computeIfAbsent(t.provider(), k -> new ArrayList<>())
                .addAll(runs.stream().filter(r -> r.error() == null).toList()));
        byProvider.values().removeIf(List::isEmpty);
        Map<String, Long> ttft = new LinkedHashMap<>(), total = new LinkedHashMap<>();
        byProvider.forEach((p, runs) -> {
            ttft.put(p, median(runs.stream().map(Run::ttftUs).toList()) / 1000);
            total.put(p, median(runs.stream().map(Run::totalUs).toList()) / 1000);
        });
        List<String> measured = sortedBy(ttft);
        System.out.println();
        if (measured.isEmpty()) {
            System.out.println("No provider answered: nothing to order.");
            return 1;
        }
        System.out.println("By time to first token (these runs): " + withMs(measured, ttft));
        System.out.println("  so speed_first should try: " + String.join(", ", measured));
        System.out.println("By whole answer (these runs):        " + withMs(sortedBy(total), total)
                + "  (no strategy orders by this; pin a provider for long answers)");

        JsonNode health = get("/api/health").path("providers");
        JsonNode route = get("/api/route?strategy=speed_first");
        List<String> speedFirst = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (JsonNode step : route.path("order")) {
            String p = step.path("provider").asText();
            if (!ttft.containsKey(p)) {
                continue;
            }
            if (step.path("action").asText().equals("try")) {
                speedFirst.add(p);
            } else {
                notes.add(p + " is skipped now (" + step.path("reason").asText() + "), so speed_first leaves it out");
            }
        }
        System.out.println("Cortex's speed_first would try:      " + String.join(", ", speedFirst)
                + "  (GET /api/route?strategy=speed_first)");

        System.out.println();
        System.out.printf("%-10s %20s %22s %14s %12s%n", "provider", "first token (here)", "Cortex's average", "its samples",
                "probe");
        Map<String, Long> recentMedian = new LinkedHashMap<>();
        for (String p : measured) {
            JsonNode lat = health.path(p).path("latency_ms");
            List<Long> recent = new ArrayList<>();
            lat.path("first_token_recent").forEach(n -> recent.add(n.asLong()));
            if (!recent.isEmpty()) {
                recentMedian.put(p, median(recent));
            }
            System.out.printf("%-10s %17d ms %19s %14s %12s%n", p, ttft.get(p),
                    lat.has("first_token_avg") ? lat.path("first_token_avg").asLong() + " ms" : "none",
                    recent.size() + (recent.size() == 30 ? "+" : "") + " (last 30)",
                    lat.has("probe_last") ? lat.path("probe_last").asLong() + " ms" : "-");
            if (health.path(p).path("health").asText().equals("degraded")) {
                notes.add(p + " is degraded (failing): every strategy puts it last, whatever its speed");
            }
        }
        System.out.println("Cortex's average is what speed_first sorts by: a moving average of its own time to first "
                + "token (from its call to the provider, so without your network to Cortex), each new sample weighing 0.2,"
                + " so older ones (the warm-up, the health probe's, earlier traffic) fade over a few requests.");

        System.out.println();
        if (speedFirst.equals(measured)) {
            System.out.println("AGREE: speed_first's order (" + String.join(", ", speedFirst)
                    + ") is the order of the time to first token measured here.");
            return 0;
        }
        System.out.println("DIFFER: speed_first would try " + String.join(", ", speedFirst) + "; measured here: "
                + String.join(", ", measured) + ". Why:");
        if (sortedBy(recentMedian).equals(measured.stream().filter(recentMedian::containsKey).toList())) {
            notes.add("Cortex's own recent samples rank the providers as measured here, but its moving average still "
                    + "carries older ones (the warm-up, the start-up probe's time, earlier traffic): a few more requests per provider "
                    + "bring it round (more --runs)");
        }
        for (int i = 0; i + 1 < measured.size(); i++) {
            long a = ttft.get(measured.get(i)), b = ttft.get(measured.get(i + 1));
            if (b - a < NOISE_MS || b - a < NOISE_SHARE * b) {
                notes.add(measured.get(i) + " and " + measured.get(i + 1) + " are within noise (" + a + " vs " + b
                        + " ms): their order can change from one run to the next");
            }
        }
        for (String p : measured) {
            int here = answered.get(p);
            int there = health.path(p).path("latency_ms").path("first_token_recent").size();
            if (there < here) {
                notes.add(p + ": Cortex counted " + there + " samples for " + here + " requests here (too few samples)");
            } else if (there > here) {
                notes.add(p + ": Cortex's figures include " + (there - here) + "+ requests besides these (other traffic)");
            }
        }
        results.keySet().stream().map(Target::provider).collect(Collectors.groupingBy(p -> p, Collectors.counting()))
                .forEach((p, n) -> {
                    if (n > 1 && ttft.containsKey(p)) {
                        notes.add(p + " has " + n + " models and one average: speed_first ranks providers, and the "
                                + "model asked last weighs most in it");
                    }
                });
        notes.forEach(n -> System.out.println("  - " + n));
        return 0;
    }

    // ---- small helpers ----

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15)).GET();
        if (key != null) {
            req.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 != 2 && !(path.startsWith("/api/health") && resp.statusCode() == 503)) {
            throw new IOException("GET " + path + " answered " + resp.statusCode() + ": " + errorText(resp.body())
                    + (resp.statusCode() == 401 || resp.statusCode() == 403
                            ? " (it needs a gateway key with the admin scope: --key or CORTEX_API_KEY)" : ""));
        }
        return JSON.readTree(resp.body());
    }

    private static List<String> sortedBy(Map<String, Long> figures) {
        return figures.entrySet().stream().sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey).toList();
    }

    private static String withMs(List<String> order, Map<String, Long> figures) {
        return order.stream().map(p -> p + " " + figures.get(p) + " ms").collect(Collectors.joining(", "));
    }

    private static long median(List<Long> values) {
        List<Long> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double medianD(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
