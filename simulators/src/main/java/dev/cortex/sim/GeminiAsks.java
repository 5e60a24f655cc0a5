package dev.cortex.sim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a Gemini request asks beyond text, read as Gemini reads it, and refused where Gemini refuses it: function
 * declarations (their schema in {@code parameters}, an OpenAPI subset, or {@code parametersJsonSchema}, JSON Schema),
 * {@code toolConfig.functionCallingConfig}, the last turn's {@code functionResponse} parts, the answer's
 * {@code responseSchema} / {@code responseJsonSchema} and {@code responseMimeType}, and {@code inlineData} images.
 * Field names are read in both of Google's JSON spellings (camelCase and snake_case).
 */
final class GeminiAsks {

    /**
     * The fields of Gemini's {@code Schema} message: the OpenAPI subset {@code parameters} and {@code responseSchema}
     * take. Any other keyword there is a 400 "Unknown name" (JSON Schema's {@code additionalProperties}, {@code $ref},
     * {@code const}, ...), and a list of types a 400 "Proto field is not repeating".
     */
    private static final Set<String> SUBSET = Set.of(
            "type",
            "format",
            "title",
            "description",
            "nullable",
            "enum",
            "maxItems",
            "minItems",
            "properties",
            "required",
            "minProperties",
            "maxProperties",
            "minLength",
            "maxLength",
            "pattern",
            "example",
            "anyOf",
            "propertyOrdering",
            "default",
            "items",
            "minimum",
            "maximum");

    private GeminiAsks() {}

    static Asks read(JsonNode body) {
        List<Asks.Tool> tools = new ArrayList<>();
        JsonNode toolList = field(body, "tools");
        for (int t = 0; t < toolList.size(); t++) {
            JsonNode declarations = field(toolList.get(t), "functionDeclarations");
            for (int d = 0; d < declarations.size(); d++) {
                JsonNode declaration = declarations.get(d);
                String at = "tools[" + t + "].function_declarations[" + d + "]";
                JsonNode subset = declaration.get("parameters");
                JsonNode jsonSchema = field(declaration, "parametersJsonSchema");
                if (subset != null) {
                    checkSubset(subset, at + ".parameters");
                }
                if (!jsonSchema.isMissingNode()) {
                    checkJsonSchema(jsonSchema, at + ".parameters_json_schema");
                }
                tools.add(new Asks.Tool(
                        declaration.path("name").asText(), jsonSchema.isMissingNode() ? subset : jsonSchema));
            }
        }
        JsonNode config = field(body, "generationConfig");
        JsonNode schema = field(config, "responseJsonSchema");
        if (!schema.isMissingNode()) {
            checkJsonSchema(schema, "generation_config.response_json_schema");
        } else {
            schema = field(config, "responseSchema");
            if (!schema.isMissingNode()) {
                checkSubset(schema, "generation_config.response_schema");
            }
        }
        JsonNode contents = field(body, "contents");
        checkResponsesAnswerCalls(contents);
        int images = 0;
        for (JsonNode turn : contents) {
            for (JsonNode part : turn.path("parts")) {
                images += field(part, "inlineData").isObject() ? 1 : 0;
            }
        }
        return new Asks(
                tools,
                toolChoice(field(field(body, "toolConfig"), "functionCallingConfig")),
                toolResult(contents.path(contents.size() - 1)),
                schema.isMissingNode() ? null : schema,
                "application/json".equals(field(config, "responseMimeType").asText()),
                images);
    }

    /** NONE → "none"; ANY → the one allowed function, else "required"; AUTO or nothing → "auto". */
    private static String toolChoice(JsonNode calling) {
        String mode = field(calling, "mode").asText("AUTO");
        JsonNode allowed = field(calling, "allowedFunctionNames");
        return switch (mode) {
            case "NONE" -> "none";
            case "ANY" -> allowed.size() == 1 ? allowed.get(0).asText() : "required";
            default -> "auto";
        };
    }

    /** The {@code response} objects of the last turn's {@code functionResponse} parts, as JSON text; else null. */
    private static String toolResult(JsonNode lastTurn) {
        StringJoiner results = new StringJoiner("\n");
        for (JsonNode part : lastTurn.path("parts")) {
            JsonNode response = field(part, "functionResponse");
            if (response.isObject()) {
                results.add(Json.text(response.path("response")));
            }
        }
        return results.length() == 0 ? null : results.toString();
    }

    /**
     * A turn of function responses answers the model turn before it, all of its calls: Gemini refuses a conversation
     * whose counts differ (results split over several turns, or one left out).
     */
    private static void checkResponsesAnswerCalls(JsonNode contents) {
        for (int i = 0; i < contents.size(); i++) {
            int responses = count(contents.get(i), "functionResponse");
            if (responses > 0 && (i == 0 || count(contents.get(i - 1), "functionCall") != responses)) {
                throw GeminiRefusals.invalid("Please ensure that the number of function response parts is equal to "
                        + "the number of function call parts of the function call turn.");
            }
        }
    }

    private static int count(JsonNode turn, String kind) {
        int n = 0;
        for (JsonNode part : turn.path("parts")) {
            n += field(part, kind).isObject() ? 1 : 0;
        }
        return n;
    }

    private static void checkSubset(JsonNode schema, String at) {
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (!SUBSET.contains(key)) {
                throw GeminiRefusals.invalid("Invalid JSON payload received. Unknown name \"" + key + "\" at '" + at
                        + "': Cannot find field.");
            }
            if (key.equals("type") && e.getValue().isArray()) {
                throw GeminiRefusals.invalid("Invalid JSON payload received. Unknown name \"type\" at '" + at
                        + "': Proto field is not repeating, cannot start list.");
            }
        }
        int i = 0;
        for (JsonNode property : schema.path("properties")) {
            checkSubset(property, at + ".properties[" + i++ + "].value");
        }
        if (schema.path("items").isObject()) {
            checkSubset(schema.get("items"), at + ".items");
        }
        i = 0;
        for (JsonNode option : schema.path("anyOf")) {
            checkSubset(option, at + ".any_of[" + i++ + "]");
        }
    }

    /** The JSON-Schema fields take JSON Schema, but not the {@code $schema} that names its dialect. */
    private static void checkJsonSchema(JsonNode schema, String at) {
        if (schema.has("$schema")) {
            throw GeminiRefusals.invalid(
                    "Invalid JSON payload received. Unknown name \"$schema\" at '" + at + "': Cannot find field.");
        }
    }

    /** A field under its camelCase name or its snake_case one, as Google's JSON mapping accepts both. */
    static JsonNode field(JsonNode node, String camel) {
        JsonNode v = node.get(camel);
        return v != null ? v : node.path(camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT));
    }
}
