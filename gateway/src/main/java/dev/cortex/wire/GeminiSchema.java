package dev.cortex.wire;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A caller's JSON Schema made fit for Gemini's JSON-Schema fields ({@code parametersJsonSchema} of a function,
 * {@code responseJsonSchema} of the answer). Those fields take JSON Schema as it is (type lists, {@code anyOf},
 * {@code additionalProperties}, {@code const}), unlike the older {@code parameters} / {@code responseSchema}, which
 * take an OpenAPI subset and refuse every JSON-Schema-only keyword; so only two things are done here:
 * <ul>
 * <li>{@code $schema} is dropped: Gemini refuses it with 400 "Unknown name \"$schema\"" (zod and pydantic emit it);
 * <li>references into the schema's own {@code $defs} / {@code definitions} are inlined and the definitions dropped,
 * since not every Gemini model resolves {@code $ref}. A recursive reference cannot be inlined: it stays, and so do the
 * definitions it points into.
 * </ul>
 * The caller's schema is never changed: the result is a copy.
 */
final class GeminiSchema {

    private static final String[] DEFINITIONS = {"$defs", "definitions"};

    private GeminiSchema() {}

    static JsonNode of(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return schema;
        }
        ObjectNode root = schema.deepCopy();
        boolean[] unresolved = {false};
        JsonNode out = inline(root, root, new ArrayDeque<>(), unresolved);
        if (out instanceof ObjectNode o && !unresolved[0]) {
            for (String d : DEFINITIONS) {
                o.remove(d);
            }
        }
        return out;
    }

    private static JsonNode inline(JsonNode node, ObjectNode root, Deque<String> expanding, boolean[] unresolved) {
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, inline(array.get(i), root, expanding, unresolved));
            }
            return array;
        }
        if (!(node instanceof ObjectNode object)) {
            return node;
        }
        object.remove("$schema");
        JsonNode ref = object.get("$ref");
        if (ref != null && ref.isTextual()) {
            JsonNode target = target(root, ref.asText());
            if (target == null || expanding.contains(ref.asText())) {
                unresolved[0] = true; // another document's, or recursive: left for Gemini to resolve
                return object;
            }
            expanding.push(ref.asText());
            ObjectNode expanded = (ObjectNode) inline(target.deepCopy(), root, expanding, unresolved);
            expanding.pop();
            object.remove("$ref");
            // keywords beside a $ref (a description, say) apply too, and say more than the definition's
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                expanded.set(e.getKey(), inline(e.getValue(), root, expanding, unresolved));
            }
            return expanded;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (object == root && isDefinitions(e.getKey())) {
                continue; // expanded where they are used
            }
            e.setValue(inline(e.getValue(), root, expanding, unresolved));
        }
        return object;
    }

    /** The object a local reference ({@code #/$defs/Name}, {@code #/definitions/Name}) points at, else null. */
    private static JsonNode target(ObjectNode root, String ref) {
        if (!ref.startsWith("#/")) {
            return null;
        }
        JsonNode target = root.at(ref.substring(1));
        return target.isObject() ? target : null;
    }

    private static boolean isDefinitions(String key) {
        for (String d : DEFINITIONS) {
            if (d.equals(key)) {
                return true;
            }
        }
        return false;
    }
}
