package dev.cortex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The real gateway for a test: {@link CortexMain}'s own Main, the project's routes and application.properties, a
 * real HTTP port, with the given settings overriding the file (as the environment would in production).
 */
public final class CortexServer implements AutoCloseable {

    private final Main main;
    private final int port;
    private final int managementPort;

    private CortexServer(Main main, int port, int managementPort) {
        this.main = main;
        this.port = port;
        this.managementPort = managementPort;
    }

    public static CortexServer start(Map<String, String> settings) {
        return start(Path.of(""), settings);
    }

    /** A gateway reading its routes and application.properties from {@code dir} (a copy a test has edited). */
    public static CortexServer start(Path dir, Map<String, String> settings) {
        return start(dir, settings, Map.of());
    }

    /**
     * As {@link #start(Path, Map)}, with {@code beans} in the registry for routes the test added to {@code dir} to
     * refer to (under names of their own: Cortex binds its beans after these, and would replace one of the same name).
     */
    public static CortexServer start(Path dir, Map<String, String> settings, Map<String, Object> beans) {
        int port = freePort();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("camel.server.port", Integer.toString(port));
        int managementPort = freePort();
        all.put("camel.management.port", Integer.toString(managementPort));
        all.put("camel.main.shutdown-timeout", "2");
        // tests use no real keys; providers not named in `settings` are off
        all.put("provider.groq.api-key", "");
        all.put("provider.gemini.api-key", "");
        all.put("provider.cohere.api-key", "");
        all.put("provider.ollama.base-url", "http://127.0.0.1:9");
        // the embedded JMS broker: a free port, in memory, so gateways in parallel builds never share one
        all.put("cortex.jms.broker.port", Integer.toString(freePort()));
        all.put("cortex.jms.broker.persistent", "false");
        all.put("cortex.jms.broker.data-dir", tempDir());
        // each gateway its own limit store (a test that restarts one on the same store says so)
        all.put("cortex.limits.data-dir", tempDir());
        // no gateway keys unless a test writes some: a developer's own config/keys.yaml stays out of the tests
        all.put("cortex.keys.file", tempDir() + "/keys.yaml");
        all.put("cortex.keys.master-api-key", "");
        all.putAll(settings);
        Main main = CortexMain.create(dir);
        all.forEach(main::addOverrideProperty);
        beans.forEach(main::bind);
        try {
            main.start();
        } catch (Exception e) {
            try {
                main.stop(); // release what did start (Vert.x, a broker)
            } catch (Exception ignored) {
                // reported below
            }
            throw new IllegalStateException("Cortex did not start", e);
        }
        int management = Integer.parseInt(all.get("camel.management.port"));
        return new CortexServer(main, port, management);
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** A path on Camel's management server ({@code /observe/health}, ...). */
    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tempDir() {
        try {
            Path dir = Files.createTempDirectory("cortex-test-");
            dir.toFile().deleteOnExit();
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
