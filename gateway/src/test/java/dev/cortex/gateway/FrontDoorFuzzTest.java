package dev.cortex.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.TestKeys;
import dev.cortex.sim.CohereSimulator;
import dev.cortex.sim.GeminiSimulator;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;
import dev.cortex.sim.ProviderSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Thousands of mutated requests against both front doors ({@link FuzzedRequests}): every answer is a refusal or an
 * answer, never a 5xx; no answer shows a key; the error bodies keep each door's shape; and afterwards the gateway
 * still serves, with no chat worker, bulkhead slot or provider call left behind.
 *
 * <p>A request broken at the HTTP level (raw socket) may also be answered by Vert.x before any handler of Cortex runs:
 * a 400, 414 or 431, a closed connection, or a 501 for an HTTP version it does not speak (HTTP/1.2, HTTP/2.0 in
 * text). A request whose body never arrives whole gets no answer: the server waits for the rest, and this test hangs
 * up after a moment (how long the server would wait is not this test's subject). Every provider of the chain answers,
 * so that any provider a request names can serve it.
 *
 * <p>Run: {@code -Dcortex.fuzz.seed=<seed> -Dcortex.fuzz.requests=<n>}; replay chosen cases one at a time with
 * {@code -Dcortex.fuzz.only=<i>,<j>} (case {@code i} of a seed is the same request whatever else runs).
 */
class FrontDoorFuzzTest {

    private static final long SEED = Long.getLong("cortex.fuzz.seed", 20_250_611L);
    private static final int REQUESTS = Integer.getInteger("cortex.fuzz.requests", 3000);
    /** Case numbers to replay on their own, one at a time (comma-separated); empty: every case up to REQUESTS. */
    private static final String ONLY = System.getProperty("cortex.fuzz.only", "");
    /** Concurrent callers: enough to interleave requests on the workers, few enough for a loaded 2-core machine. */
    private static final int CALLERS = 4;

    private static final String GROQ_KEY = "gsk_fuzz_provider_key_0001";
    private static final String GEMINI_KEY = "AIza_fuzz_provider_key_0001";
    private static final String COHERE_KEY = "cohere-fuzz-provider-key-0001";
    private static final List<String> PROVIDERS = List.of("groq", "gemini", "cohere", "ollama");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /**
     * What came back for one case: a status (0: none), the body and headers, whether it went over a raw socket, and
     * how the exchange ended when no answer came.
     */
    private record Answer(int status, String body, Map<String, List<String>> headers, boolean socket, String ended) {}

    @Test
    void mutatedRequestsAreRefusedNeverFailedAndLeaveNothingBehind() throws Exception {
        Path keysFile = Files.createTempDirectory("cortex-fuzz-keys").resolve("keys.yaml");
        String admin = newKey(keysFile, "--name", "ops", "--admin");
        String plain = newKey(keysFile, "--name", "plain");
        // every provider of the chain answers, so that naming any of them is served: naming one that is off is a
        // deliberate 503 (the provider cannot answer), which says nothing about the front door
        try (GroqSimulator groq = (GroqSimulator) new GroqSimulator().start();
                GeminiSimulator gemini = (GeminiSimulator) new GeminiSimulator().start();
                CohereSimulator cohere = (CohereSimulator) new CohereSimulator().start();
                OllamaSimulator ollama = (OllamaSimulator) new OllamaSimulator().start();
                CortexServer cortex = CortexServer.start(Map.ofEntries(
                        Map.entry("cortex.keys.file", keysFile.toString()),
                        Map.entry("camel.server.max-body-size", Integer.toString(FuzzedRequests.MAX_BODY_BYTES)),
                        Map.entry("provider.groq.api-key", GROQ_KEY),
                        Map.entry("provider.groq.base-url", groq.baseUrl()),
                        Map.entry("provider.gemini.api-key", GEMINI_KEY),
                        Map.entry("provider.gemini.base-url", gemini.baseUrl()),
                        Map.entry("provider.cohere.api-key", COHERE_KEY),
                        Map.entry("provider.cohere.base-url", cohere.baseUrl()),
                        Map.entry("provider.ollama.base-url", ollama.baseUrl()),
                        // Ollama's default bulkhead (4) is below the callers here; a full last resort is a
                        // deliberate 503
                        Map.entry("provider.ollama.max-concurrent", "64")))) {
            List<ProviderSimulator> simulators = List.of(groq, gemini, cohere, ollama);
            List<String> secrets = List.of(admin, plain, GROQ_KEY, GEMINI_KEY, COHERE_KEY);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> chat(cortex, plain).statusCode() == 200);

            List<String> failures = fuzz(cortex, new FuzzedRequests(SEED, plain, admin), secrets);
            System.out.printf(
                    "%d chat calls reached a provider%n",
                    simulators.stream().mapToInt(ProviderSimulator::chatCalls).sum());
            assertThat(failures)
                    .as(() -> failures.size() + " fuzzed requests went wrong (seed " + SEED + "; replay one with"
                            + " -Dcortex.fuzz.seed=" + SEED + " -Dcortex.fuzz.only=<case>); the first ones:\n"
                            + String.join("\n", failures.subList(0, Math.min(20, failures.size()))))
                    .isEmpty();

            // still serving at both doors, and nothing held: chat workers, provider bulkheads, calls to the providers
            assertThat(chat(cortex, plain).statusCode()).isEqualTo(200);
            HttpResponse<String> ollamaDoor = Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/api/chat")))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + plain)
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build());
            assertThat(ollamaDoor.statusCode()).as(ollamaDoor.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            get(cortex, "/metrics", admin).body().contains("cortex_http_chat_requests_in_flight 0.0"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode health =
                        JSON.readTree(get(cortex, "/api/health", admin).body());
                for (String provider : PROVIDERS) {
                    assertThat(health.at("/providers/" + provider + "/in_flight/current")
                                    .asInt(-1))
                            .as(provider + "'s bulkhead in " + health)
                            .isZero();
                }
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(simulators)
                    .allSatisfy(s -> assertThat(s.inFlight()).as(s.name()).isZero()));
        }
    }

    /**
     * Sends every case, {@value #CALLERS} at a time (one at a time when replaying chosen cases), and returns what went
     * wrong, in case order. A 503 "overloaded" is counted apart: it is the gateway shedding load as designed, but at
     * this load it should not happen, and the run says so if it does.
     */
    private List<String> fuzz(CortexServer cortex, FuzzedRequests generator, List<String> secrets) throws Exception {
        List<Integer> cases = ONLY.isBlank()
                ? IntStream.range(0, REQUESTS).boxed().toList()
                : Arrays.stream(ONLY.split(","))
                        .map(String::trim)
                        .map(Integer::valueOf)
                        .toList();
        Map<Integer, String> failures = new ConcurrentSkipListMap<>();
        Map<Integer, AtomicInteger> statuses = new ConcurrentSkipListMap<>();
        AtomicInteger overloaded = new AtomicInteger();
        AtomicInteger bySocket = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService callers = Executors.newFixedThreadPool(ONLY.isBlank() ? CALLERS : 1);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int index : cases) {
                sent.add(callers.submit(() -> {
                    FuzzedRequests.FuzzCase request = generator.generate(index);
                    Answer answer = request.raw() != null ? sendRaw(cortex, request) : send(cortex, request);
                    statuses.computeIfAbsent(answer.status(), s -> new AtomicInteger())
                            .incrementAndGet();
                    if (answer.socket()) {
                        bySocket.incrementAndGet();
                    }
                    String problem = problem(request, answer, secrets);
                    if ("overloaded".equals(problem)) {
                        overloaded.incrementAndGet();
                    } else if (problem != null) {
                        failures.put(index, describe(request, answer, problem));
                    }
                }));
            }
            for (Future<?> f : sent) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            callers.shutdownNow();
        }
        System.out.printf(
                "Fuzzed %d requests (seed %d, %d by raw socket) in %d s: statuses %s (0: no answer), %d overloaded"
                        + " 503s, %d failures%n",
                cases.size(),
                SEED,
                bySocket.get(),
                (System.nanoTime() - start) / 1_000_000_000,
                statuses,
                overloaded.get(),
                failures.size());
        List<String> all = new ArrayList<>(failures.values());
        if (overloaded.get() > 0) {
            all.add(overloaded.get() + " requests were refused as overloaded (503): the worker queue filled at a load"
                    + " of " + CALLERS + " callers");
        }
        return all;
    }

    /** What is wrong with this answer, if anything: {@code "overloaded"} for the one 5xx a busy gateway may give. */
    private static String problem(FuzzedRequests.FuzzCase request, Answer answer, List<String> secrets) {
        for (String secret : secrets) {
            if (answer.body().contains(secret)
                    || answer.headers().values().stream().flatMap(List::stream).anyMatch(v -> v.contains(secret))) {
                return "a key appears in the answer";
            }
        }
        if (answer.status() == 501 && answer.socket() && unsupportedVersion(request)) {
            return null; // Vert.x's own answer to an HTTP version it does not speak, before any handler of Cortex
        }
        if (answer.status() >= 500) {
            return answer.status() == 503 && answer.body().contains("overloaded") ? "overloaded" : "a 5xx";
        }
        if (answer.status() == 0) {
            // only a raw request may go unanswered: the server closed a connection it could not read, or waits for
            // the rest of a body announced and never sent
            boolean incomplete = request.raw() != null && !request.rawComplete();
            return answer.socket() && (incomplete || "closed".equals(answer.ended())) ? null : "no answer";
        }
        if (answer.status() >= 400 && !answer.socket() && !request.method().equals("HEAD")) {
            return wrongShape(request.path(), answer);
        }
        return null;
    }

    /** A raw request whose request line names an HTTP version other than 1.0 and 1.1 (HTTP/1.2, HTTP/2.0). */
    private static boolean unsupportedVersion(FuzzedRequests.FuzzCase request) {
        if (request.raw() == null) {
            return false;
        }
        String text = new String(request.raw(), StandardCharsets.ISO_8859_1);
        int end = text.indexOf('\n');
        String requestLine = (end < 0 ? text : text.substring(0, end)).trim();
        return requestLine.matches(".* HTTP/\\d\\.\\d") && !requestLine.matches(".* HTTP/1\\.[01]");
    }

    /**
     * Whether a refusal from Cortex has its door's error shape: OpenAI's nested object everywhere but under
     * {@code /api/}, Ollama's flat string there. Paths Vert.x rewrites (percent-encoded, dot segments, doubled
     * slashes) are skipped, and so are the refusals Vert.x itself sends before any route (a request line or header
     * section over its limits).
     */
    private static String wrongShape(String path, Answer answer) {
        if (path.contains("%")
                || path.contains("/.")
                || path.contains("//")
                || answer.status() == 414
                || answer.status() == 431) {
            return null;
        }
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (IOException e) {
            return "an error body that is not JSON";
        }
        if (path.startsWith("/api/")) {
            return body != null && body.path("error").isTextual() ? null : "not Ollama's error shape";
        }
        JsonNode error = body == null ? null : body.get("error");
        return error != null
                        && error.path("message").isTextual()
                        && error.path("type").isTextual()
                        && error.has("code")
                ? null
                : "not OpenAI's error shape";
    }

    private Answer send(CortexServer cortex, FuzzedRequests.FuzzCase request) {
        if (oversizedHead(request)) {
            return sendRaw(cortex, request);
        }
        HttpRequest built;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(cortex.url(request.path())))
                    .timeout(Duration.ofSeconds(30))
                    .method(
                            request.method(),
                            request.body() == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(request.body()));
            for (String[] header : request.headers()) {
                builder.header(header[0], header[1]);
            }
            built = builder.build();
        } catch (IllegalArgumentException refusedByTheClient) {
            // a path or header java.net.http will not send: the raw socket sends it as it is
            return sendRaw(cortex, request);
        }
        try {
            HttpResponse<byte[]> response = client.send(built, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(
                    response.statusCode(),
                    new String(response.body(), StandardCharsets.UTF_8),
                    response.headers().map(),
                    false,
                    null);
        } catch (HttpTimeoutException e) {
            return new Answer(0, "", Map.of(), false, "timed out after 30 s");
        } catch (IOException e) {
            // the server may close a connection while a body it refused (too large) is still being sent
            boolean tooLarge = request.body() != null && request.body().length > FuzzedRequests.MAX_BODY_BYTES;
            return new Answer(0, "", Map.of(), false, tooLarge ? "closed" : "failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the case's bytes on a socket and reads until the server closes it (every raw request asks for
     * {@code Connection: close}); a request left incomplete on purpose is given a short while only.
     */
    private static Answer sendRaw(CortexServer cortex, FuzzedRequests.FuzzCase request) {
        byte[] bytes = request.raw() != null ? request.raw() : rawFromParts(request);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        String ended;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", cortex.port()), 5_000);
            socket.setSoTimeout(request.raw() == null || request.rawComplete() ? 10_000 : 1_500);
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } catch (IOException closedWhileWriting) {
                // the server may stop reading a request it has refused; its answer may still be there to read
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0 && received.size() < 4 * 1024 * 1024) {
                received.write(buffer, 0, n);
            }
            ended = "raw: closed";
        } catch (SocketTimeoutException e) {
            ended = "raw: timed out";
        } catch (IOException e) {
            ended = "raw: " + e.getMessage();
        }
        String text = received.toString(StandardCharsets.UTF_8);
        while (text.matches("(?s)HTTP/1\\.. 1\\d\\d .*") && text.contains("\r\n\r\n")) {
            text = text.substring(text.indexOf("\r\n\r\n") + 4); // an interim answer (100 Continue) first
        }
        int status = 0;
        if (text.startsWith("HTTP/1.") && text.length() >= 12) {
            try {
                status = Integer.parseInt(text.substring(9, 12));
            } catch (NumberFormatException e) {
                status = 0;
            }
        }
        if (status == 0) {
            ended = ended.equals("raw: closed") || ended.startsWith("raw: Connection reset") ? "closed" : ended;
        }
        int split = text.indexOf("\r\n\r\n");
        return new Answer(
                status,
                split < 0 ? text : text.substring(split + 4),
                Map.of("head", List.of(split < 0 ? "" : text.substring(0, split))),
                true,
                ended);
    }

    /**
     * Whether the request line or headers are over Vert.x's limits (4096 and 8192 bytes). Vert.x answers these 414 or
     * 431 and then closes the connection without saying so (no {@code Connection: close}), so on a pooled client
     * connection the next request would find it gone: they go by raw socket, one connection each.
     */
    private static boolean oversizedHead(FuzzedRequests.FuzzCase request) {
        int headers = request.headers().stream()
                .mapToInt(h -> h[0].length() + h[1].length() + 4)
                .sum();
        return request.path().length() > 4000 || headers > 8000;
    }

    /** A case the HTTP client refused to send (a path or header it will not write), as bytes. */
    private static byte[] rawFromParts(FuzzedRequests.FuzzCase request) {
        byte[] body = request.body() == null ? new byte[0] : request.body();
        StringBuilder head = new StringBuilder(request.method() + " " + request.path() + " HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n");
        for (String[] header : request.headers()) {
            head.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private HttpResponse<String> chat(CortexServer cortex, String key) {
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"llama-3.1-8b-instant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build());
    }

    private static HttpResponse<String> get(CortexServer cortex, String path, String key) {
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .GET()
                .build());
    }

    /** Creates a key with the key command, as scripts/cortex-key.sh does; returns the key it printed once. */
    private static String newKey(Path keysFile, String... options) {
        return TestKeys.create(keysFile, options);
    }

    /** One failing case, for the summary: what it was, what was sent, what came back, and what is wrong with it. */
    private static String describe(FuzzedRequests.FuzzCase request, Answer answer, String problem) {
        return "#" + request.index() + " [" + request.what() + "] " + request.method() + " " + clip(request.path(), 80)
                + " body=" + clip(request.bodyText(), 100) + " -> " + answer.status() + " " + clip(answer.body(), 200)
                + (answer.ended() == null ? "" : " (" + answer.ended() + ")") + ": " + problem;
    }

    private static String clip(String text, int max) {
        String oneLine = text.replaceAll("[\\r\\n]+", "⏎");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "…(" + text.length() + ")";
    }
}
