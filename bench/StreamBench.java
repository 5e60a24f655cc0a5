import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The benchmark's streaming client (scripts/bench.sh): Vert.x, no thread per stream. Prints one JSON line.
 *
 *   ttft URL BODY N              N streams one after another: time to first token and total, p50
 *   streams URL BODY N SECONDS   N streams at once: all started, time to first token for each, how many completed;
 *                                writes the file named by -Dopen.marker once every stream has its first token
 */
public final class StreamBench {

    public static void main(String[] args) throws Exception {
        String mode = args[0], url = args[1], body = args[2];
        int n = Integer.parseInt(args[3]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(Math.max(n, 1)).setMaxWaitQueueSize(-1));
        try {
            if (mode.equals("ttft")) {
                List<Long> ttft = new ArrayList<>(), total = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long[] r = one(client, url, body, null).get();
                    if (r[0] >= 0) {
                        ttft.add(r[0]);
                        total.add(r[1]);
                    }
                }
                System.out.printf("{\"n\":%d,\"ttft_p50_us\":%d,\"total_p50_us\":%d}%n", ttft.size(), p(ttft, 50), p(total, 50));
            } else {
                int seconds = Integer.parseInt(args[4]);
                List<Long> ttft = Collections.synchronizedList(new ArrayList<>());
                AtomicInteger completed = new AtomicInteger(), failed = new AtomicInteger();
                CountDownLatch firsts = new CountDownLatch(n), ends = new CountDownLatch(n);
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    one(client, url, body, firsts).whenComplete((r, e) -> {
                        if (e == null && r[0] >= 0 && r[2] == 1) {
                            ttft.add(r[0]);
                            completed.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                        ends.countDown();
                    });
                }
                boolean allOpen = firsts.await(seconds, TimeUnit.SECONDS);
                long allOpenMs = (System.nanoTime() - start) / 1_000_000;
                String marker = System.getProperty("open.marker");
                if (marker != null) {
                    Files.writeString(Path.of(marker), allOpen ? "open" : "partial");
                }
                ends.await(seconds * 3L, TimeUnit.SECONDS);
                System.out.printf("{\"n\":%d,\"all_first_tokens\":%s,\"all_first_tokens_ms\":%d,\"completed\":%d,\"failed\":%d,"
                                + "\"ttft_p50_us\":%d,\"ttft_p99_us\":%d}%n", n, allOpen, allOpenMs, completed.get(), failed.get(),
                        p(ttft, 50), p(ttft, 99));
            }
        } finally {
            vertx.close();
        }
    }

    /** One streaming request: {ttft µs, total µs, 1 if it ended with its end marker}. */
    private static java.util.concurrent.CompletableFuture<long[]> one(HttpClient client, String url, String body,
                                                                      CountDownLatch firsts) {
        java.util.concurrent.CompletableFuture<long[]> done = new java.util.concurrent.CompletableFuture<>();
        long start = System.nanoTime();
        long[] result = {-1, -1, 0};
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer bench");
        client.request(options).compose(req -> req.send(Buffer.buffer(body))).onComplete(ar -> {
            if (ar.failed()) {
                if (firsts != null) {
                    firsts.countDown();
                }
                done.completeExceptionally(ar.cause());
                return;
            }
            var resp = ar.result();
            StringBuilder tail = new StringBuilder();
            resp.handler(buf -> {
                String s = buf.toString();
                if (result[0] < 0 && s.contains("\"content\":\"w")) {
                    result[0] = (System.nanoTime() - start) / 1000;
                    if (firsts != null) {
                        firsts.countDown();
                    }
                }
                tail.append(s);
                if (tail.length() > 200) {
                    tail.delete(0, tail.length() - 200);
                }
            });
            resp.exceptionHandler(done::completeExceptionally);
            resp.endHandler(v -> {
                result[1] = (System.nanoTime() - start) / 1000;
                result[2] = tail.toString().contains("[DONE]") ? 1 : 0;
                if (result[0] < 0 && firsts != null) {
                    firsts.countDown();
                }
                done.complete(result);
            });
        });
        return done;
    }

    private static long p(List<Long> values, int percentile) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }
}
