package dev.cortex.sim;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A value that follows a JSON Schema, deterministically: every property of an object (required or not), one item in
 * an array, the first enum value, the prompt's last word for strings, 42 for numbers, true for booleans. Handles the
 * subset tools and structured outputs use (type, properties, items, enum, anyOf, nullable types, {@code $ref} into
 * {@code $defs}); what it does not know becomes a string.
 */
final class SchemaSample {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SchemaSample() {}

    static JsonNode of(JsonNode schema, String prompt) {
        return sample(schema == null ? NODES.objectNode() : schema, schema, word(prompt), 0);
    }

    private static JsonNode sample(JsonNode schema, JsonNode root, String word, int depth) {
        if (depth > 8) {
            return NODES.nullNode();
        }
        if (schema.hasNonNull("$ref")) {
            String ref = schema.get("$ref").asText();
            String name = ref.substring(ref.lastIndexOf('/') + 1);
            JsonNode target = root.path("$defs").path(name);
            if (target.isMissingNode()) {
                target = root.path("definitions").path(name);
            }
            return sample(target.isMissingNode() ? NODES.objectNode() : target, root, word, depth + 1);
        }
        if (schema.has("enum") && schema.get("enum").size() > 0) {
            return schema.get("enum").get(0);
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        for (String union : new String[] {"anyOf", "oneOf"}) {
            if (schema.has(union) && schema.get(union).size() > 0) {
                return sample(schema.get(union).get(0), root, word, depth + 1);
            }
        }
        String type = type(schema);
        switch (type) {
            case "object" -> {
                ObjectNode out = NODES.objectNode();
                Iterator<Map.Entry<String, JsonNode>> fields =
                        schema.path("properties").fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    out.set(f.getKey(), sample(f.getValue(), root, word, depth + 1));
                }
                return out;
            }
            case "array" -> {
                ArrayNode out = NODES.arrayNode();
                out.add(sample(
                        schema.path("items").isObject() ? schema.get("items") : NODES.objectNode(),
                        root,
                        word,
                        depth + 1));
                return out;
            }
            case "integer" -> {
                return NODES.numberNode(42);
            }
            case "number" -> {
                return NODES.numberNode(42.5);
            }
            case "boolean" -> {
                return NODES.booleanNode(true);
            }
            case "null" -> {
                return NODES.nullNode();
            }
            default -> {
                return NODES.textNode(word);
            }
        }
    }

    /** The schema's type; of a nullable type list, the first that is not "null"; an object when it has properties. */
    private static String type(JsonNode schema) {
        JsonNode t = schema.get("type");
        if (t != null && t.isTextual()) {
            return t.asText().toLowerCase(Locale.ROOT); // Gemini writes OBJECT, STRING, ...
        }
        if (t != null && t.isArray()) {
            for (JsonNode e : t) {
                if (!"null".equals(e.asText())) {
                    return e.asText().toLowerCase(Locale.ROOT);
                }
            }
        }
        return schema.has("properties") ? "object" : "string";
    }

    private static String word(String prompt) {
        if (prompt == null || prompt.isBlank()) {
            return "sample";
        }
        String[] words = prompt.trim().split("\\s+");
        return words[words.length - 1].replaceAll("[^\\p{L}\\p{N}_-]", "");
    }
}
