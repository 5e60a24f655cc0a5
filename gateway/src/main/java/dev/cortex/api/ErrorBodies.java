package dev.cortex.api;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.Json;

/** Error bodies in the two shapes clients expect: OpenAI's nested object on /v1, Ollama's flat string on /api. */
public enum ErrorBodies {

    /** {@code {"error":{"message","type","param","code"}}} */
    OPENAI {
        @Override
        public Rendered render(int status, String type, String code, String message, String param) {
            ObjectNode error = Json.object();
            error.put("message", message);
            error.put("type", type != null ? type : status >= 500 ? "server_error" : "invalid_request_error");
            error.put("param", param);
            error.put("code", code);
            ObjectNode body = Json.object();
            body.set("error", error);
            return new Rendered("application/json", Json.bytes(body));
        }
    },

    /** {@code {"error": "..."}} */
    OLLAMA {
        @Override
        public Rendered render(int status, String type, String code, String message, String param) {
            ObjectNode body = Json.object();
            body.put("error", message);
            return new Rendered("application/json; charset=utf-8", Json.bytes(body));
        }
    };

    /** @param type OpenAI's error type ({@code requests}, {@code insufficient_quota}); null: from the status */
    public abstract Rendered render(int status, String type, String code, String message, String param);

    public Rendered render(int status, String code, String message, String param) {
        return render(status, null, code, message, param);
    }

    public Rendered render(int status, String code, String message) {
        return render(status, code, message, null);
    }

    /** The shape a path's clients expect. */
    public static ErrorBodies forPath(String path) {
        return path != null && path.startsWith("/api/") ? OLLAMA : OPENAI;
    }

    public record Rendered(String contentType, byte[] bytes) {
        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
