package dev.cortex.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.ChatResult;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.PenaltyScale;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolCallAssembler;
import dev.cortex.chat.Usage;
import dev.cortex.failure.BadRequestException;

/**
 * Ollama's native chat API ({@code /api/chat}, {@code /api/tags}): NDJSON streams by default, and a request with no
 * model is valid (the chain picks one). Tools, {@code format} and messages with images, tool calls and tool results
 * are read as Ollama sends them ({@link OllamaMessages}); tool calls go back whole, arguments as an object, with
 * {@code done_reason: "stop"} as Ollama's own server says for them.
 */
public final class OllamaApi implements ChatApi {

    private final OllamaMessages messages;

    /** @param images how images are checked (their size limit, {@code cortex.images.max-bytes}) */
    public OllamaApi(ImageInputs images) {
        this.messages = new OllamaMessages(images);
    }

    @Override
    public String door() {
        return "ollama";
    }

    @Override
    public ChatRequest parse(JsonNode body) {
        RequestFields f = new RequestFields(body, "");
        Boolean stream = f.bool("stream");
        RequestFields o = f.object("options");
        Double temperature = null, topP = null, frequencyPenalty = null, presencePenalty = null;
        Integer topK = null, maxTokens = null;
        Long seed = null;
        List<String> stop = List.of();
        if (o != null) {
            temperature = o.number("temperature", 0, 2);
            topP = o.number("top_p", 0, 1);
            topK = o.integer("top_k", 0);
            Integer numPredict = o.integer("num_predict", -2);
            maxTokens = numPredict == null || numPredict <= 0 ? null : numPredict; // -1/-2 mean "no limit" in Ollama
            stop = o.strings("stop");
            seed = o.longValue("seed");
            // Ollama's own knob is repeat_penalty; OpenAI-minded clients send frequency_penalty in options too
            Double repeatPenalty = o.number("repeat_penalty", 0, 10);
            if (repeatPenalty != null) {
                frequencyPenalty = PenaltyScale.toFrequencyPenalty(repeatPenalty);
            } else {
                frequencyPenalty = o.number("frequency_penalty", -2, 2);
            }
            presencePenalty = o.number("presence_penalty", -2, 2);
        }
        return new ChatRequest(
                f.string("model"),
                messages.read(body.get("messages")),
                stream == null || stream,
                true,
                temperature,
                topP,
                topK,
                maxTokens,
                stop,
                seed,
                frequencyPenalty,
                presencePenalty,
                OpenAiTools.tools(f), // Ollama takes OpenAI's shape
                null, // Ollama has no tool_choice: offered tools may be called
                null,
                format(body.get("format")));
    }

    /** {@code format}: {@code "json"} for any JSON object, or the JSON schema the answer must follow. */
    private static ResponseFormat format(JsonNode v) {
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return ResponseFormat.TEXT;
        }
        if (v.isTextual() && v.asText().equals("json")) {
            return ResponseFormat.JSON_OBJECT;
        }
        if (v.isObject()) {
            return v.isEmpty() ? ResponseFormat.JSON_OBJECT : ResponseFormat.schema(null, v, null);
        }
        throw new BadRequestException("format", "'format' must be \"json\" or a JSON schema object.");
    }

    @Override
    public String resultContentType() {
        return "application/json; charset=utf-8";
    }

    @Override
    public byte[] renderResult(ChatResult result) {
        ObjectNode body = Json.object();
        body.put("model", result.model());
        body.put("created_at", Instant.now().toString());
        ObjectNode message = body.putObject("message");
        message.put("role", "assistant");
        message.put("content", result.text());
        if (!result.toolCalls().isEmpty()) {
            message.set("tool_calls", OllamaToolCalls.render(result.toolCalls()));
        }
        body.put("done", true);
        putStats(body, result.finishReason(), result.usage());
        return Json.bytes(body);
    }

    private static void putStats(ObjectNode body, FinishReason reason, Usage usage) {
        Usage u = usage == null ? Usage.NONE : usage;
        body.put("done_reason", reason.ollama());
        body.put("prompt_eval_count", u.promptTokens());
        body.put("eval_count", u.completionTokens());
    }

    @Override
    public StreamRenderer newStream(ChatRequest request) {
        return new NdjsonStream();
    }

    @Override
    public byte[] renderModels(List<ModelEntry> models) {
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("models");
        String now = Instant.now().toString();
        for (ModelEntry m : models) {
            ObjectNode e = list.addObject();
            e.put("name", m.id());
            e.put("model", m.id());
            e.put("modified_at", now);
            e.put("size", m.sizeBytes());
            e.put("digest", "");
            ObjectNode details = e.putObject("details");
            details.put("format", m.local() ? "gguf" : "api");
            details.put("family", m.provider());
        }
        return Json.bytes(body);
    }

    @Override
    public ErrorBodies errors() {
        return ErrorBodies.OLLAMA;
    }

    /** Ollama's NDJSON: one object per line, the last with {@code done: true} and the counts. */
    private static final class NdjsonStream implements StreamRenderer {
        private String head; // {"model":..,"created_at":
        private final ToolCallAssembler toolCalls = new ToolCallAssembler();

        @Override
        public String contentType() {
            return "application/x-ndjson";
        }

        @Override
        public byte[] open(String model) {
            head = "{\"model\":" + OpenAiApi.quote(model) + ",\"created_at\":\"";
            return new byte[0];
        }

        @Override
        public byte[] text(String text) {
            return (head + Instant.now() + "\",\"message\":{\"role\":\"assistant\",\"content\":" + OpenAiApi.quote(text)
                            + "},\"done\":false}\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        /** Ollama sends tool calls whole: the pieces are kept and go out in one message before the last line. */
        @Override
        public byte[] toolCall(int index, String id, String name, String argumentsFragment) {
            toolCalls.add(index, id, name, argumentsFragment);
            return new byte[0];
        }

        @Override
        public byte[] close(FinishReason reason, Usage usage) {
            Usage u = usage == null ? Usage.NONE : usage;
            String calls = "";
            if (!toolCalls.isEmpty()) {
                ObjectNode message = Json.object();
                message.put("role", "assistant");
                message.put("content", "");
                message.set("tool_calls", OllamaToolCalls.render(toolCalls.calls()));
                calls = head + Instant.now() + "\",\"message\":"
                        + new String(Json.bytes(message), StandardCharsets.UTF_8) + ",\"done\":false}\n";
            }
            return (calls + head + Instant.now()
                            + "\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                            + "\"done_reason\":\"" + reason.ollama() + "\",\"prompt_eval_count\":" + u.promptTokens()
                            + ",\"eval_count\":" + u.completionTokens() + "}\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] error(String code, String message) {
            ObjectNode body = Json.object();
            body.put("error", message);
            return (new String(Json.bytes(body), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }
}
