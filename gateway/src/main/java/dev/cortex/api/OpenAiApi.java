package dev.cortex.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.ChatResult;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.chat.Usage;
import dev.cortex.failure.BadRequestException;

/** The OpenAI Chat Completions front door ({@code /v1/chat/completions}, {@code /v1/models}). */
public final class OpenAiApi implements ChatApi {

    private final OpenAiMessages messages;

    /** @param images how image parts become bytes (data URLs; http URLs only when the operator allows fetching) */
    public OpenAiApi(ImageInputs images) {
        this.messages = new OpenAiMessages(images);
    }

    /** With the default image settings: data URLs up to 5 MiB, no fetching. */
    public OpenAiApi() {
        this(ImageInputs.DEFAULTS);
    }

    @Override
    public String door() {
        return "openai";
    }

    @Override
    public ChatRequest parse(JsonNode body) {
        RequestFields f = new RequestFields(body, "");
        Integer n = f.integer("n", 1);
        if (n != null && n != 1) {
            throw new BadRequestException("n", "Only n=1 is supported.");
        }
        List<ToolSpec> tools = OpenAiTools.tools(f);
        ToolChoice toolChoice = OpenAiTools.choice(f, tools);
        ResponseFormat responseFormat = OpenAiTools.responseFormat(f);
        boolean stream = Boolean.TRUE.equals(f.bool("stream"));
        RequestFields streamOptions = f.object("stream_options");
        boolean includeUsage = streamOptions != null && Boolean.TRUE.equals(streamOptions.bool("include_usage"));
        Integer maxTokens = f.integer("max_completion_tokens", 1);
        if (maxTokens == null) {
            maxTokens = f.integer("max_tokens", 1);
        }
        List<String> stop = f.strings("stop");
        if (stop.size() > 4) {
            throw new BadRequestException("stop", "'stop' may hold at most 4 sequences.");
        }
        return new ChatRequest(
                f.string("model"),
                f.messages(messages),
                stream,
                includeUsage,
                f.number("temperature", 0, 2),
                f.number("top_p", 0, 1),
                null,
                maxTokens,
                stop,
                f.longValue("seed"),
                f.number("frequency_penalty", -2, 2),
                f.number("presence_penalty", -2, 2),
                tools,
                toolChoice,
                f.bool("parallel_tool_calls"),
                responseFormat);
    }

    @Override
    public String resultContentType() {
        return "application/json";
    }

    @Override
    public byte[] renderResult(ChatResult result) {
        ObjectNode message = Json.object();
        message.put("role", "assistant");
        if (result.toolCalls().isEmpty() || !result.text().isEmpty()) {
            message.put("content", result.text());
        } else {
            message.putNull("content"); // OpenAI's shape for a turn that only calls tools
        }
        message.putNull("refusal");
        if (!result.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall call : result.toolCalls()) {
                ObjectNode c = calls.addObject();
                c.put("id", call.id());
                c.put("type", "function");
                c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        ObjectNode choice = Json.object();
        choice.put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", result.finishReason().openAi());
        ObjectNode body = Json.object();
        body.put("id", newId());
        body.put("object", "chat.completion");
        body.put("created", System.currentTimeMillis() / 1000);
        body.put("model", result.model());
        body.putArray("choices").add(choice);
        body.set("usage", usage(result.usage()));
        body.putNull("system_fingerprint");
        return Json.bytes(body);
    }

    private static ObjectNode usage(Usage usage) {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", usage.promptTokens());
        u.put("completion_tokens", usage.completionTokens());
        u.put("total_tokens", usage.totalTokens());
        return u;
    }

    @Override
    public StreamRenderer newStream(ChatRequest request) {
        return new SseStream(request.includeUsage());
    }

    @Override
    public byte[] renderModels(List<ModelEntry> models) {
        ObjectNode body = Json.object();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        for (ModelEntry m : models) {
            ObjectNode e = data.addObject();
            e.put("id", m.id());
            e.put("object", "model");
            e.put("created", 0);
            e.put("owned_by", m.provider());
        }
        return Json.bytes(body);
    }

    @Override
    public ErrorBodies errors() {
        return ErrorBodies.OPENAI;
    }

    private static String newId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * OpenAI's SSE framing: a role chunk, content chunks, a finish chunk, the usage chunk when asked for, then
     * {@code [DONE]}. Every chunk repeats id, created and model, so the fixed parts are built once per stream.
     */
    private static final class SseStream implements StreamRenderer {
        private final boolean includeUsage;
        private final String id = newId();
        private final long created = System.currentTimeMillis() / 1000;
        private String head; // data: {"id":..,"object":..,"created":..,"model":..,

        SseStream(boolean includeUsage) {
            this.includeUsage = includeUsage;
        }

        @Override
        public String contentType() {
            return "text/event-stream";
        }

        @Override
        public byte[] open(String model) {
            head = "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
                    + ",\"model\":" + quote(model) + ",";
            return choice("{\"role\":\"assistant\",\"content\":\"\"}", "null");
        }

        @Override
        public byte[] text(String text) {
            return choice("{\"content\":" + quote(text) + "}", "null");
        }

        /** OpenAI's tool-call delta: index always; id, type and name on a call's first piece; an arguments fragment. */
        @Override
        public byte[] toolCall(int index, String id, String name, String argumentsFragment) {
            StringBuilder call = new StringBuilder("{\"tool_calls\":[{\"index\":").append(index);
            if (id != null) {
                call.append(",\"id\":").append(quote(id)).append(",\"type\":\"function\"");
            }
            call.append(",\"function\":{");
            if (name != null) {
                call.append("\"name\":").append(quote(name)).append(',');
            }
            call.append("\"arguments\":").append(quote(argumentsFragment == null ? "" : argumentsFragment));
            call.append("}}]}");
            return choice(call.toString(), "null");
        }

        @Override
        public byte[] close(FinishReason reason, Usage usage) {
            StringBuilder out =
                    new StringBuilder(new String(choice("{}", "\"" + reason.openAi() + "\""), StandardCharsets.UTF_8));
            if (includeUsage) {
                Usage u = usage == null ? Usage.NONE : usage;
                out.append(head)
                        .append("\"choices\":[],\"usage\":{\"prompt_tokens\":")
                        .append(u.promptTokens())
                        .append(",\"completion_tokens\":")
                        .append(u.completionTokens())
                        .append(",\"total_tokens\":")
                        .append(u.totalTokens())
                        .append("}}\n\n");
            }
            out.append("data: [DONE]\n\n");
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] error(String code, String message) {
            ObjectNode error = Json.object();
            error.put("message", message);
            error.put("type", "server_error");
            error.putNull("param");
            error.put("code", code);
            ObjectNode body = Json.object();
            body.set("error", error);
            return ("data: " + new String(Json.bytes(body), StandardCharsets.UTF_8) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        private byte[] choice(String delta, String finishReason) {
            return (head + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                            + finishReason + "}]" + (includeUsage ? ",\"usage\":null" : "") + "}\n\n")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
