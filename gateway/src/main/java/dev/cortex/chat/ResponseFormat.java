package dev.cortex.chat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The shape the answer's text must take ({@code response_format}; Ollama's {@code format}).
 *
 * @param name   the schema's name ({@code json_schema.name}), or null
 * @param schema the JSON Schema the answer must follow when {@link Kind#JSON_SCHEMA}, else null
 * @param strict OpenAI's {@code strict}, or null when not set
 */
public record ResponseFormat(Kind kind, String name, JsonNode schema, Boolean strict) {

    public enum Kind {
        TEXT,
        /** Any JSON object. */
        JSON_OBJECT,
        /** JSON that follows {@code schema}. */
        JSON_SCHEMA
    }

    public static final ResponseFormat TEXT = new ResponseFormat(Kind.TEXT, null, null, null);
    public static final ResponseFormat JSON_OBJECT = new ResponseFormat(Kind.JSON_OBJECT, null, null, null);

    public static ResponseFormat schema(String name, JsonNode schema, Boolean strict) {
        return new ResponseFormat(Kind.JSON_SCHEMA, name, schema, strict);
    }

    public boolean json() {
        return kind != Kind.TEXT;
    }
}
