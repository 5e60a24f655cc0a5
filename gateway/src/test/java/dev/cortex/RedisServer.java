package dev.cortex;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real {@code redis-server} for the tests of the Redis limit store and cooldown board, on a free port of 127.0.0.1,
 * with nothing saved to disk. It can be stopped and started again on the same port (an outage). Without
 * {@code redis-server} the test is skipped, except in CI ({@code CI=true}), which installs it: there it fails.
 */
public final class RedisServer implements AutoCloseable {

    private final String binary;
    private final int port;
    private final Path log;
    private Process process;

    private RedisServer(String binary, int port) throws IOException {
        this.binary = binary;
        this.port = port;
        this.log = Files.createTempFile("redis-server-" + port + "-", ".log");
    }

    /** A running server, or the test skipped (failed in CI) when {@code redis-server} is not installed. */
    public static RedisServer create() {
        String binary = find();
        if (binary == null) {
            String message = "redis-server is missing: run scripts/install-test-tools.sh";
            if ("true".equals(System.getenv("CI"))) {
                fail(message + " (CI installs it, so its absence is a failure here)");
            }
            assumeTrue(false, message);
        }
        try {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort(); // closed before redis-server binds it
            }
            RedisServer server = new RedisServer(binary, port);
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e, e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it; after {@link #stop()}, again on the same port (empty: nothing is saved). */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            process = new ProcessBuilder(
                            binary,
                            "--port",
                            String.valueOf(port),
                            "--bind",
                            "127.0.0.1",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--daemonize",
                            "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e, e);
        }
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> answers() || !process.isAlive());
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited at start; see " + log);
        }
    }

    /** Stops it (an outage): connections are refused until {@link #start()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Sends one command in Redis's inline protocol and returns the first line of the answer. */
    public String command(String inline) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    private boolean answers() {
        return "+PONG".equals(command("PING"));
    }

    @Override
    public void close() {
        stop();
    }

    private static String find() {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            File candidate = new File(dir, "redis-server");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        File usual = new File("/usr/bin/redis-server");
        return usual.canExecute() ? usual.getPath() : null;
    }
}
