package dev.cortex.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Gemini's embedding calls, apart from {@link GeminiWire} so the chat wire stays readable: {@code :batchEmbedContents}
 * ({@code {"requests":[{model, content, taskType?, title?, outputDimensionality?}]}}, one vector per request) and
 * {@code :embedContent} (one such request as the body), with Gemini's strictness about unknown fields and task types,
 * and their answers ({@code {"embeddings":[{"values"}]}}, {@code {"embedding":{"values"}}}). Gemini reports no token
 * counts for embeddings.
 */
final class GeminiEmbeddings {

    /** The embedding model the simulated Gemini serves by default. */
    static final String MODEL = "gemini-embedding-001";

    /** The vector length of Gemini's embedding models when no {@code outputDimensionality} is asked. */
    private static final Map<String, Integer> DIMENSIONS = Map.of(MODEL, 3072, "text-embedding-004", 768);

    private static final Set<String> FIELDS = Set.of(
            "model", "content", "taskType", "task_type", "title", "outputDimensionality", "output_dimensionality");
    private static final Set<String> TASK_TYPES = Set.of(
            "TASK_TYPE_UNSPECIFIED",
            "RETRIEVAL_QUERY",
            "RETRIEVAL_DOCUMENT",
            "SEMANTIC_SIMILARITY",
            "CLASSIFICATION",
            "CLUSTERING",
            "QUESTION_ANSWERING",
            "FACT_VERIFICATION",
            "CODE_RETRIEVAL_QUERY");

    private GeminiEmbeddings() {}

    /**
     * @param model the model in the path
     * @param batch whether the path is {@code :batchEmbedContents}
     * @return the request, its dimensions the length asked for or else the model's own (never null: the length the
     *         answer's vectors have)
     */
    static ChatWire.EmbedRequest read(String model, boolean batch, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GeminiRefusals.invalid("Invalid JSON payload received. Expected an object.");
        }
        List<JsonNode> requests = new ArrayList<>();
        if (batch) {
            body.fieldNames().forEachRemaining(name -> {
                if (!name.equals("requests")) {
                    throw unknown(name, "");
                }
            });
            body.path("requests").forEach(requests::add);
            if (requests.isEmpty()) {
                throw GeminiRefusals.invalid("* BatchEmbedContentsRequest.requests: requests is not specified");
            }
        } else {
            requests.add(body);
        }
        List<String> inputs = new ArrayList<>();
        Integer dimensions = null;
        for (int i = 0; i < requests.size(); i++) {
            JsonNode r = requests.get(i);
            String at = batch ? "requests[" + i + "]" : "";
            r.fieldNames().forEachRemaining(name -> {
                if (!FIELDS.contains(name)) {
                    throw unknown(name, at);
                }
            });
            JsonNode task = GeminiAsks.field(r, "taskType");
            if (!task.isMissingNode() && !TASK_TYPES.contains(task.asText())) {
                throw GeminiRefusals.invalid("Invalid value at '" + (at.isEmpty() ? "" : at + ".") + "task_type' "
                        + "(type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), \"" + task.asText()
                        + "\"");
            }
            JsonNode parts = r.path("content").path("parts");
            if (!parts.isArray() || parts.isEmpty()) {
                throw GeminiRefusals.invalid(
                        "* " + (at.isEmpty() ? "" : at + ".") + "content: content is not specified");
            }
            StringBuilder text = new StringBuilder();
            parts.forEach(part -> text.append(part.path("text").asText("")));
            inputs.add(text.toString());
            JsonNode dims = GeminiAsks.field(r, "outputDimensionality");
            if (dims.isInt()) {
                dimensions = dims.asInt();
            }
        }
        return new ChatWire.EmbedRequest(
                model,
                inputs,
                dimensions != null ? dimensions : DIMENSIONS.getOrDefault(model, SimEmbeddings.dimensions(model)),
                body);
    }

    /** {@code {"embeddings":[{"values":[...]}]}} for a batch, {@code {"embedding":{"values":[...]}}} for one. */
    static JsonNode answer(ChatWire.EmbedRequest request, List<float[]> vectors) {
        ObjectNode out = Json.object();
        if (request.body().has("requests")) {
            ArrayNode list = out.putArray("embeddings");
            vectors.forEach(v -> values(list.addObject(), v));
        } else {
            values(out.putObject("embedding"), vectors.get(0));
        }
        return out;
    }

    private static void values(ObjectNode embedding, float[] vector) {
        ArrayNode values = embedding.putArray("values");
        for (float x : vector) {
            values.add(x);
        }
    }

    private static WireReply.Refused unknown(String name, String at) {
        return GeminiRefusals.invalid("Invalid JSON payload received. Unknown name \"" + name + "\""
                + (at.isEmpty() ? "" : " at '" + at + "'") + ": Cannot find field.");
    }
}
