import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The soak's load and its observer (scripts/soak.sh), on the Cortex jar's classpath (Jackson, the Artemis client) and
 * java.net.http. For the run's length it keeps a fixed number of HTTP callers busy (both doors, streaming or not, a
 * model drawn per request: each model is a simulator profile with its own fault) and a bounded number of JMS requests
 * in flight, then drains; meanwhile it samples Cortex's process. Classifies every outcome, writes one JSON document.
 *
 *   java -cp cortex.jar:target/soak SoakClient HTTP_BASE JMS_URL CORTEX_PID SECONDS OUT_JSON
 *
 * System properties (the script sets them): soak.httpWorkers, soak.jmsInFlight, soak.sampleSeconds,
 * soak.heapSeconds, soak.drainSeconds, soak.requestSeconds, soak.pauseMs, soak.seed.
 */
public final class SoakClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Model name (a simulator profile, see soak.sh) and its weight in the draw: mostly healthy, some of each fault.
     * The faults that count against Groq's health (503, silence, cut, stall, error event, malformed chunk) are 10 %
     * of the draw: at 25 % (half the breaker's 50 %) every strategy marks a provider degraded and moves it last, so
     * Ollama would answer nearly everything first and the faults would seldom be met. At 10 % Groq stays first most
     * of the time, and now and then is degraded or has its breaker opened, as a provider with bad moments would.
     */
    private static final String[][] MIX = {
        {"soak-ok", "74"}, {"soak-slow", "8"}, {"soak-429", "8"}, {"soak-503", "2"}, {"soak-silence", "1"},
        {"soak-cut", "2"}, {"soak-stall", "1"}, {"soak-error", "2"}, {"soak-malformed", "2"}
    };

    /** Share of requests pinned to Groq ("provider":"groq"): without a fall-back its faults reach the caller. */
    private static final double PINNED = 0.12;

    private static final long PAUSE_MS = Long.getLong("soak.pauseMs", 10);

    private final String base;
    private final int seconds;
    private final long requestMillis;
    private final HttpClient http;
    private final ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
    private final Map<String, LongAdder> httpOutcomes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refusalStatuses = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> perKind = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> trails = new ConcurrentHashMap<>(); // X-Cortex-Attempts, a small fixed set
    private final List<String> silentExamples = new ArrayList<>();
    private final LongAdder recovered = new LongAdder();

    private SoakClient(String base, int seconds) {
        this.base = base;
        this.seconds = seconds;
        this.requestMillis = 1000L * Integer.getInteger("soak.requestSeconds", 60);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public static void main(String[] args) throws Exception {
        String base = args[0], jmsUrl = args[1];
        long pid = Long.parseLong(args[2]);
        int seconds = Integer.parseInt(args[3]);
        Path out = Path.of(args[4]);
        int status = 0;
        try {
            new SoakClient(base, seconds).run(jmsUrl, pid, out);
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // the HTTP client's and Artemis' threads are not all daemons: end them in any case
    }

    private void run(String jmsUrl, long pid, Path out) throws Exception {
        long seed = Long.getLong("soak.seed", System.nanoTime());
        int workers = Integer.getInteger("soak.httpWorkers", 6);
        Sampler sampler = new Sampler(pid, clock);
        sampler.start(Integer.getInteger("soak.sampleSeconds", 5), Integer.getInteger("soak.heapSeconds", 30));
        Jms jms = new Jms(jmsUrl, Integer.getInteger("soak.jmsInFlight", 4), new Random(seed ^ 0x5eed));
        jms.start();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int w = 0; w < workers; w++) {
            Random random = new Random(seed + w);
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    oneRequest(random);
                    pause();
                }
            });
        }
        ScheduledFuture<?> progress = clock.scheduleAtFixedRate(
                () -> System.err.printf("soak: %s http %s, jms sent %d answered %d%n",
                        sampler.elapsed(), httpOutcomes, jms.sent.get(), jms.answered.size()),
                60, 60, TimeUnit.SECONDS);
        pool.shutdown();
        // every caller finishes the request it has in flight: its own watchdog bounds it
        pool.awaitTermination(seconds + requestMillis / 1000 + 30, TimeUnit.SECONDS);
        jms.stopSending();
        jms.drain(Integer.getInteger("soak.drainSeconds", 60));
        progress.cancel(false);
        sampler.stop();
        Files.writeString(out, report(seed, workers, jms, sampler));
        jms.close();
    }

    // ------------------------------------------------------------------------------------------------------- HTTP

    private void oneRequest(Random random) {
        boolean openAi = random.nextBoolean();
        boolean stream = random.nextBoolean();
        String model = draw(random);
        boolean pinned = random.nextDouble() < PINNED;
        String kind = (openAi ? "v1" : "api") + (stream ? "-stream" : "");
        String body = String.format(
                "{\"model\":\"%s\",\"stream\":%s,%s\"messages\":[{\"role\":\"user\",\"content\":\"soak %d\"}]}",
                model, stream, pinned ? "\"provider\":\"groq\"," : "", random.nextInt(1_000_000));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + (openAi ? "/v1/chat/completions" : "/api/chat")))
                .timeout(Duration.ofMillis(requestMillis))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        String outcome;
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = null;
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            InputStream in = response.body();
            // the request's timeout covers only the headers: a body that stops coming is closed by this watchdog
            watchdog = clock.schedule(() -> {
                timedOut.set(true);
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing is the point; the reader sees the failure
                }
            }, requestMillis, TimeUnit.MILLISECONDS);
            outcome = classify(response, in, openAi, stream);
            String trail = response.headers().firstValue("X-Cortex-Attempts").orElse("none");
            count(trails, (outcome.equals("ok") ? "answered " : "not answered ") + trail);
            if (outcome.equals("ok") && trail.matches(".*groq:(?!ok|breaker_open)[^,]*,.*")) {
                recovered.increment(); // answered by the next provider after Groq's fault (not merely its open breaker)
            }
        } catch (java.net.http.HttpTimeoutException e) {
            outcome = "silent_timeout";
        } catch (IOException e) {
            outcome = timedOut.get() ? "silent_timeout" : "silent_reset";
            note(kind + " " + model + (pinned ? " pinned" : "") + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
        if (timedOut.get() && !outcome.startsWith("silent")) {
            outcome = "silent_timeout";
        }
        if (outcome.startsWith("silent")) {
            note(kind + " " + model + (pinned ? " pinned" : "") + ": " + outcome);
        }
        count(httpOutcomes, outcome.startsWith("refused") ? "refused" : outcome);
        count(perKind, kind + " " + (outcome.startsWith("refused") ? "refused" : outcome));
        if (outcome.startsWith("refused")) {
            count(refusalStatuses, outcome.substring("refused ".length()));
        }
    }

    /**
     * ok: a 2xx whose answer is complete; refused STATUS: a non-2xx with an error body in the door's shape;
     * stream_error: a stream that ended with the door's in-band error event; anything else is silent_*.
     */
    private static String classify(HttpResponse<InputStream> response, InputStream in, boolean openAi, boolean stream)
            throws IOException {
        int status = response.statusCode();
        if (status < 200 || status >= 300) {
            JsonNode error = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).path("error");
            boolean shaped = openAi ? error.path("message").isTextual() && error.path("code").isTextual()
                    : error.isTextual();
            return shaped ? "refused " + status : "silent_unshaped_error " + status;
        }
        if (!stream) {
            JsonNode answer = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            boolean complete = openAi ? answer.path("choices").path(0).path("message").path("content").isTextual()
                    : answer.path("done").asBoolean(false) && answer.path("message").path("content").isTextual();
            return complete ? "ok" : "silent_truncated";
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        boolean done = false, errored = false, afterEnd = false;
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            if (done || errored) {
                afterEnd = true; // nothing may follow the end marker or the error event
            }
            if (openAi) {
                if (!line.startsWith("data: ")) {
                    continue; // SSE comments and other fields carry no content
                }
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    done = true;
                } else {
                    JsonNode event = parse(data);
                    if (event.isMissingNode()) {
                        return "silent_malformed_event";
                    }
                    errored |= event.path("error").path("message").isTextual();
                }
            } else {
                JsonNode event = parse(line);
                if (event.isMissingNode()) {
                    return "silent_malformed_event";
                }
                errored |= event.path("error").isTextual();
                done |= event.path("done").asBoolean(false);
            }
        }
        if (afterEnd || (done && errored)) {
            return "silent_after_end";
        }
        return done ? "ok" : errored ? "stream_error" : "silent_truncated";
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node;
        } catch (IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    /** A caller's pause between two requests: the load stays modest on a machine whose cores Cortex shares. */
    private static void pause() {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String draw(Random random) {
        int total = 0;
        for (String[] m : MIX) {
            total += Integer.parseInt(m[1]);
        }
        int r = random.nextInt(total);
        for (String[] m : MIX) {
            r -= Integer.parseInt(m[1]);
            if (r < 0) {
                return m[0];
            }
        }
        throw new IllegalStateException("weights");
    }

    private void note(String example) {
        synchronized (silentExamples) {
            if (silentExamples.size() < 20) {
                silentExamples.add(example);
            }
        }
    }

    private static void count(Map<String, LongAdder> counts, String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    // -------------------------------------------------------------------------------------------------------- JMS

    /**
     * Request-reply over the embedded broker: one producer keeps at most {@code inFlight} requests unanswered, one
     * listener on a temporary queue takes the replies. Each request has its own correlation id; every reply is
     * counted against it, so a missing or a second reply shows.
     */
    private final class Jms {
        final Connection connection;
        final Session sendSession, replySession;
        final TemporaryQueue replies;
        final MessageProducer producer;
        final Semaphore window;
        final int inFlight;
        final Random random;
        final AtomicLong sent = new AtomicLong();
        final Map<String, Long> pending = new ConcurrentHashMap<>(); // correlation id -> when sent (nanos)
        final Map<String, Integer> answered = new ConcurrentHashMap<>();
        final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        final LongAdder duplicates = new LongAdder(), unknown = new LongAdder(), badReplies = new LongAdder();
        final List<Long> latenciesMs = new ArrayList<>();
        volatile boolean sending = true;
        Thread sender;

        Jms(String url, int inFlight, Random random) throws Exception {
            this.inFlight = inFlight;
            this.random = random;
            this.window = new Semaphore(inFlight);
            connection = new ActiveMQConnectionFactory(url).createConnection();
            sendSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            replySession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            replies = replySession.createTemporaryQueue();
            producer = sendSession.createProducer(sendSession.createQueue("cortex.requests"));
            replySession.createConsumer(replies).setMessageListener(this::onReply);
            connection.start();
        }

        void start() {
            sender = new Thread(() -> {
                try {
                    while (sending) {
                        if (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        if (!sending) {
                            window.release();
                            break;
                        }
                        String id = "soak-" + sent.incrementAndGet();
                        String model = draw(random);
                        boolean pinned = random.nextDouble() < PINNED;
                        TextMessage request = sendSession.createTextMessage(String.format(
                                "{\"model\":\"%s\",%s\"messages\":[{\"role\":\"user\",\"content\":\"soak %s\"}]}",
                                model, pinned ? "\"provider\":\"groq\"," : "", id));
                        request.setJMSReplyTo(replies);
                        request.setJMSCorrelationID(id);
                        pending.put(id, System.nanoTime());
                        producer.send(request);
                        pause();
                    }
                } catch (Exception e) {
                    System.err.println("soak: JMS sender stopped: " + e);
                    count(statuses, "send_failed");
                }
            }, "soak-jms-sender");
            sender.start();
        }

        void onReply(Message reply) {
            try {
                String id = reply.getJMSCorrelationID();
                Long sentAt = id == null ? null : pending.remove(id);
                if (sentAt == null) {
                    if (id != null && answered.containsKey(id)) {
                        duplicates.increment();
                        answered.merge(id, 1, Integer::sum);
                    } else {
                        unknown.increment();
                    }
                    return;
                }
                answered.put(id, 1);
                synchronized (latenciesMs) {
                    latenciesMs.add((System.nanoTime() - sentAt) / 1_000_000);
                }
                String status = String.valueOf(reply.getStringProperty("CortexStatus"));
                count(statuses, status);
                JsonNode body = parse(reply instanceof TextMessage t ? t.getText() : reply.getBody(String.class));
                boolean shaped = status.equals("200")
                        ? body.path("choices").path(0).path("message").path("content").isTextual()
                        : body.path("error").path("message").isTextual() && reply.getStringProperty("CortexErrorCode") != null;
                if (!shaped) {
                    badReplies.increment();
                }
                window.release();
            } catch (Exception e) {
                badReplies.increment();
                window.release();
            }
        }

        void stopSending() throws InterruptedException {
            sending = false;
            sender.join(10_000);
        }

        void drain(int maxSeconds) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            while (!pending.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            // a little longer, so that a second reply to an answered request has the time to show up
            Thread.sleep(2000);
        }

        void close() {
            try {
                connection.close();
            } catch (Exception ignored) {
                // the process ends next
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- sampling

    /** Cortex's RSS, threads and open files every few seconds; its live heap (after a full GC) less often. */
    private static final class Sampler {
        final long pid;
        final ScheduledExecutorService clock;
        final long start = System.nanoTime();
        final List<long[]> samples = new ArrayList<>(); // seconds, RSS KiB, threads, fds
        final List<long[]> heap = new ArrayList<>(); // seconds, live heap KiB
        final List<ScheduledFuture<?>> tasks = new ArrayList<>();

        Sampler(long pid, ScheduledExecutorService clock) {
            this.pid = pid;
            this.clock = clock;
        }

        String elapsed() {
            return (System.nanoTime() - start) / 1_000_000_000 + " s";
        }

        void start(int everySeconds, int heapSeconds) {
            tasks.add(clock.scheduleAtFixedRate(this::sample, 0, everySeconds, TimeUnit.SECONDS));
            tasks.add(clock.scheduleAtFixedRate(this::sampleHeap, heapSeconds, heapSeconds, TimeUnit.SECONDS));
        }

        void stop() {
            tasks.forEach(t -> t.cancel(false));
            sample();
        }

        private long seconds() {
            return (System.nanoTime() - start) / 1_000_000_000;
        }

        private void sample() {
            try {
                long rss = -1, threads = -1;
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("\\D", ""));
                    } else if (line.startsWith("Threads:")) {
                        threads = Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
                long fds;
                try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                    fds = s.count();
                }
                synchronized (samples) {
                    samples.add(new long[] {seconds(), rss, threads, fds});
                }
            } catch (IOException e) {
                System.err.println("soak: cannot sample Cortex (" + e + "): has it died?");
            }
        }

        private static final Pattern USED = Pattern.compile("tenured generation\\s+total \\d+K, used (\\d+)K");

        /**
         * A full GC first (jcmd GC.run): what remains is what Cortex holds on to, the figure a leak would grow. The
         * serial collector's full GC moves what survives into the tenured generation, so its occupancy is the live
         * set; the young generation is left out, as it fills again with the requests of the instant before the read.
         */
        private void sampleHeap() {
            try {
                run("jcmd", String.valueOf(pid), "GC.run");
                Matcher m = USED.matcher(run("jcmd", String.valueOf(pid), "GC.heap_info"));
                long used = 0;
                boolean any = false;
                while (m.find()) {
                    used += Long.parseLong(m.group(1));
                    any = true;
                }
                if (any) {
                    synchronized (heap) {
                        heap.add(new long[] {seconds(), used});
                    }
                }
            } catch (Exception e) {
                System.err.println("soak: cannot read Cortex's heap (" + e + ")");
            }
        }

        private static String run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return text;
        }
    }

    // ------------------------------------------------------------------------------------------------------ report

    private String report(long seed, int workers, Jms jms, Sampler sampler) {
        StringBuilder s = new StringBuilder("{");
        s.append("\"seconds\":").append(seconds).append(",\"seed\":").append(seed);
        s.append(",\"http_workers\":").append(workers).append(",\"jms_in_flight\":").append(jms.inFlight);
        s.append(",\"http\":").append(counts(httpOutcomes));
        s.append(",\"http_by_kind\":").append(counts(perKind));
        s.append(",\"http_refusal_statuses\":").append(counts(refusalStatuses));
        s.append(",\"http_recovered\":").append(recovered.sum());
        s.append(",\"http_attempt_trails\":").append(counts(trails));
        synchronized (silentExamples) {
            s.append(",\"silent_examples\":").append(json(silentExamples));
        }
        long twice = jms.answered.values().stream().filter(n -> n > 1).count();
        List<Long> lat;
        synchronized (jms.latenciesMs) {
            lat = new ArrayList<>(jms.latenciesMs);
        }
        lat.sort(null);
        s.append(",\"jms\":{\"sent\":").append(jms.sent.get())
                .append(",\"answered\":").append(jms.answered.size())
                .append(",\"missing\":").append(jms.pending.size())
                .append(",\"missing_ids\":").append(json(jms.pending.keySet().stream().limit(20).toList()))
                .append(",\"answered_twice\":").append(twice)
                .append(",\"duplicate_replies\":").append(jms.duplicates.sum())
                .append(",\"unknown_replies\":").append(jms.unknown.sum())
                .append(",\"bad_replies\":").append(jms.badReplies.sum())
                .append(",\"statuses\":").append(counts(jms.statuses))
                .append(",\"latency_p50_ms\":").append(lat.isEmpty() ? -1 : lat.get(lat.size() / 2))
                .append(",\"latency_max_ms\":").append(lat.isEmpty() ? -1 : lat.get(lat.size() - 1))
                .append('}');
        synchronized (sampler.samples) {
            s.append(",\"samples\":").append(json(sampler.samples));
        }
        synchronized (sampler.heap) {
            s.append(",\"heap_live\":").append(json(sampler.heap));
        }
        return s.append("}\n").toString();
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String counts(Map<String, LongAdder> counts) {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v.sum()));
        return json(sorted).toString();
    }
}
