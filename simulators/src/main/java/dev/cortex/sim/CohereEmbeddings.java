package dev.cortex.sim;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Cohere's v2 embeddings ({@code POST /v2/embed}): {@code {"model","texts","input_type","embedding_types",
 * "output_dimension"?,"truncate"?}} in, {@code {"id","embeddings":{"float":[[...]]},"texts","meta":{...},
 * "response_type":"embeddings_by_type"}} out. Refused as Cohere refuses: no {@code input_type} or
 * {@code embedding_types} (v2 requires both), values it does not know, more than 96 texts, an output dimension its
 * models cannot give, a chat model. Serves texts (not images) and the {@code float} type: a request for another type is refused
 * with a message that says the simulator has only floats.
 */
final class CohereEmbeddings {

    static final int MAX_TEXTS = 96;

    private static final Set<String> INPUT_TYPES =
            Set.of("search_document", "search_query", "classification", "clustering", "image");
    private static final Set<String> EMBEDDING_TYPES = Set.of("float", "int8", "uint8", "binary", "ubinary", "base64");
    private static final Set<Integer> OUTPUT_DIMENSIONS = Set.of(256, 512, 1024, 1536);
    private static final Set<String> TRUNCATE = Set.of("NONE", "START", "END");

    private CohereEmbeddings() {}

    /** Embedding models are named so by Cohere ({@code embed-v4.0}, {@code embed-english-v3.0}). */
    static boolean isEmbeddingModel(String model) {
        return model.startsWith("embed-");
    }

    static ChatWire.EmbedRequest read(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw CohereAsks.badRequest("cannot parse the request body as JSON");
        }
        if (!body.path("model").isTextual() || body.path("model").asText().isBlank()) {
            throw CohereAsks.badRequest("model is required");
        }
        if (!isEmbeddingModel(body.get("model").asText())) {
            throw CohereAsks.badRequest(
                    "model '" + body.get("model").asText() + "' does not support the embed endpoint");
        }
        List<String> texts = Json.strings(body.path("texts"));
        if (!body.path("texts").isArray() || texts.isEmpty()) {
            throw CohereAsks.badRequest("texts must be a non-empty list of strings");
        }
        if (texts.size() > MAX_TEXTS) {
            throw CohereAsks.badRequest(
                    "total number of texts must be at most " + MAX_TEXTS + " - received " + texts.size());
        }
        String inputType = body.path("input_type").asText("");
        if (!INPUT_TYPES.contains(inputType)) {
            throw CohereAsks.badRequest("input_type must be one of "
                    + String.join(", ", INPUT_TYPES.stream().sorted().toList()));
        }
        List<String> types = Json.strings(body.path("embedding_types"));
        if (types.isEmpty() || !EMBEDDING_TYPES.containsAll(types)) {
            throw CohereAsks.badRequest(
                    "embedding_types must be a non-empty list of float, int8, uint8, binary, " + "ubinary, base64");
        }
        if (!types.equals(List.of("float"))) {
            throw CohereAsks.badRequest("this simulator serves the float embedding type only");
        }
        JsonNode dims = body.path("output_dimension");
        if (!dims.isMissingNode() && !(dims.isInt() && OUTPUT_DIMENSIONS.contains(dims.asInt()))) {
            throw CohereAsks.badRequest("output_dimension must be one of 256, 512, 1024, 1536");
        }
        JsonNode truncate = body.path("truncate");
        if (!truncate.isMissingNode() && !TRUNCATE.contains(truncate.asText())) {
            throw CohereAsks.badRequest("truncate must be one of NONE, START, END");
        }
        return new ChatWire.EmbedRequest(body.get("model").asText(), texts, dims.isInt() ? dims.asInt() : null, body);
    }

    static JsonNode answer(ChatWire.EmbedRequest request, List<float[]> vectors) {
        ObjectNode out = Json.object().put("id", UUID.randomUUID().toString());
        ArrayNode floats = out.putObject("embeddings").putArray("float");
        for (float[] v : vectors) {
            ArrayNode a = floats.addArray();
            for (float x : v) {
                a.add(x);
            }
        }
        ArrayNode texts = out.putArray("texts");
        request.inputs().forEach(texts::add);
        ObjectNode meta = out.putObject("meta");
        meta.putObject("api_version").put("version", "2");
        meta.putObject("billed_units")
                .put(
                        "input_tokens",
                        request.inputs().stream()
                                .mapToInt(SimEmbeddings::tokens)
                                .sum());
        out.put("response_type", "embeddings_by_type");
        return out;
    }
}
