package dev.cortex.ollama;

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
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.Json;

/**
 * Ollama's model-management calls ({@code /api/tags}, {@code /api/ps}, {@code /api/generate}, {@code /api/pull}),
 * blocking: they run on timer threads and, once per model, before a request's first token. Chat itself goes through
 * the streaming adapter, not here.
 */
public final class OllamaClient {

    /** A model on disk. */
    public record Installed(String name, long sizeBytes, String family, String parameterSize) {}

    /**
     * What {@code /api/show} says a model can do: Ollama's capability words ({@code completion}, {@code tools},
     * {@code vision}, {@code embedding}, {@code insert}, {@code thinking}), empty when the server is too old to say,
     * and the context length its weights were trained for ({@code model_info["<arch>.context_length"]}), 0 when not
     * given.
     */
    public record Shown(List<String> capabilities, long contextLength) {}

    /** A model in memory; {@code vramBytes > 0} means (part of) it sits on the GPU. */
    public record Loaded(String name, long sizeBytes, long vramBytes, String expiresAt) {}

    private final String baseUrl;
    private final HttpClient http;
    private final Duration timeout;

    public OllamaClient(String baseUrl, Duration timeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.timeout = timeout;
    }

    public List<Installed> tags() throws IOException {
        List<Installed> out = new ArrayList<>();
        for (JsonNode m : get("/api/tags").path("models")) {
            out.add(new Installed(
                    m.path("name").asText(),
                    m.path("size").asLong(),
                    m.path("details").path("family").asText(""),
                    m.path("details").path("parameter_size").asText("")));
        }
        return out;
    }

    public List<Loaded> ps() throws IOException {
        List<Loaded> out = new ArrayList<>();
        for (JsonNode m : get("/api/ps").path("models")) {
            out.add(new Loaded(
                    m.path("name").asText(),
                    m.path("size").asLong(),
                    m.path("size_vram").asLong(),
                    m.path("expires_at").asText(null)));
        }
        return out;
    }

    /** {@code POST /api/show}: what one installed model can do. */
    public Shown show(String model) throws IOException {
        ObjectNode body = Json.object();
        body.put("model", model);
        JsonNode shown = Json.parse(post("/api/show", body, Duration.ofSeconds(10)));
        List<String> capabilities = new ArrayList<>();
        shown.path("capabilities").forEach(c -> capabilities.add(c.asText()));
        JsonNode info = shown.path("model_info");
        String architecture = info.path("general.architecture").asText("");
        long context = info.path(architecture + ".context_length").asLong(0);
        if (context == 0) {
            context = shown.path("context_length").asLong(0); // where a server puts it at the top level
        }
        return new Shown(capabilities, context);
    }

    /**
     * Loads a model by making it generate one token: a load-only request returns before the weights are ready on
     * some versions, so only a real token proves the model can answer.
     */
    public void generateOneToken(String model, String keepAlive) throws IOException {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.put("prompt", "hi");
        body.put("stream", false);
        body.put("keep_alive", keepAlive);
        body.putObject("options").put("num_predict", 1);
        post("/api/generate", body, timeout);
    }

    /** Loads an embedding model (which cannot generate) by embedding one short text. */
    public void embedOnce(String model, String keepAlive) throws IOException {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.put("input", "hi");
        body.put("keep_alive", keepAlive);
        post("/api/embed", body, timeout);
    }

    /** Asks Ollama to drop a model from memory now ({@code keep_alive: 0}). */
    public void unload(String model) throws IOException {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.put("keep_alive", 0);
        body.put("stream", false);
        post("/api/generate", body, Duration.ofSeconds(30));
    }

    /** Pulls a model, handing each progress line to {@code progress}; fails on an error line. */
    public void pull(String model, Consumer<JsonNode> progress) throws IOException {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.put("stream", true);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/pull"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                throw new IOException("pull " + model + " answered " + response.statusCode());
            }
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = Json.parse(line);
                if (event.hasNonNull("error")) {
                    throw new IOException(
                            "pull " + model + " failed: " + event.get("error").asText());
                }
                progress.accept(event);
            }
        }
    }

    private JsonNode get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        HttpResponse<byte[]> response = send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode());
        }
        return Json.parse(response.body());
    }

    private byte[] post(String path, JsonNode body, Duration within) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(within)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        HttpResponse<byte[]> response = send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return response.body();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
