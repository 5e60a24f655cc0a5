package dev.cortex.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * A chat request in the gateway's own terms: both front doors parse into it, every provider adapter translates
 * from it. Optional sampling fields are null when the caller did not set them, so adapters send only what was asked.
 *
 * @param model             the model the caller named (may be null: each provider then uses its default)
 * @param frequencyPenalty  on OpenAI's scale (-2..2, 0 neutral)
 * @param presencePenalty   on OpenAI's scale (-2..2, 0 neutral)
 * @param tools             the functions the model may call, possibly none
 * @param toolChoice        whether and which tool must be called; null when the caller did not say
 * @param parallelToolCalls whether the model may call several tools in one turn; null when the caller did not say
 * @param responseFormat    the shape the answer must take ({@link ResponseFormat#TEXT} when the caller did not say)
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        boolean stream,
        boolean includeUsage,
        Double temperature,
        Double topP,
        Integer topK,
        Integer maxTokens,
        List<String> stop,
        Long seed,
        Double frequencyPenalty,
        Double presencePenalty,
        List<ToolSpec> tools,
        ToolChoice toolChoice,
        Boolean parallelToolCalls,
        ResponseFormat responseFormat) {

    public ChatRequest {
        messages = List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
        tools = tools == null ? List.of() : List.copyOf(tools);
        responseFormat = responseFormat == null ? ResponseFormat.TEXT : responseFormat;
    }

    /** A plain chat: no tools, text answers. */
    public ChatRequest(
            String model,
            List<ChatMessage> messages,
            boolean stream,
            boolean includeUsage,
            Double temperature,
            Double topP,
            Integer topK,
            Integer maxTokens,
            List<String> stop,
            Long seed,
            Double frequencyPenalty,
            Double presencePenalty) {
        this(
                model,
                messages,
                stream,
                includeUsage,
                temperature,
                topP,
                topK,
                maxTokens,
                stop,
                seed,
                frequencyPenalty,
                presencePenalty,
                List.of(),
                null,
                null,
                ResponseFormat.TEXT);
    }

    /** The same request with another answer-length cap (a key's ceiling). */
    public ChatRequest withMaxTokens(Integer cap) {
        return new ChatRequest(
                model,
                messages,
                stream,
                includeUsage,
                temperature,
                topP,
                topK,
                cap,
                stop,
                seed,
                frequencyPenalty,
                presencePenalty,
                tools,
                toolChoice,
                parallelToolCalls,
                responseFormat);
    }

    /** Whether the model is offered tools it may call ({@code tool_choice: none} offers none). */
    public boolean offersTools() {
        return !tools.isEmpty() && (toolChoice == null || toolChoice.mode() != ToolChoice.Mode.NONE);
    }

    /**
     * The function a tool turn answers: its own {@code name} when the caller gave one, else the name of the call with
     * its id in an earlier assistant turn (Gemini's {@code functionResponse} needs it; OpenAI's tool turns carry only
     * the id). Null when nothing names it.
     */
    public String toolName(ChatMessage toolTurn) {
        if (toolTurn.name() != null) {
            return toolTurn.name();
        }
        for (ChatMessage m : messages) {
            for (ToolCall call : m.toolCalls()) {
                if (call.id() != null && call.id().equals(toolTurn.toolCallId())) {
                    return call.name();
                }
            }
        }
        return null;
    }

    /** The prompt's estimated tokens ({@link TokenEstimate}): what key limits reserve and context windows must hold. */
    public long promptTokens() {
        List<String> texts = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            texts.add(m.content());
        }
        return TokenEstimate.prompt(texts);
    }

    /** What a model must be able to do to answer this request: the chain routes only to models that can. */
    public Needs needs() {
        return needs(promptTokens());
    }

    /** As {@link #needs()}, with the prompt's estimate already made. */
    public Needs needs(long promptTokens) {
        boolean tools = offersTools();
        boolean vision = false;
        for (ChatMessage m : messages) {
            tools |= !m.toolCalls().isEmpty() || m.isTool();
            vision |= !m.images().isEmpty();
        }
        long tokens = promptTokens + (maxTokens == null ? 0 : maxTokens);
        return new Needs(tools, responseFormat.kind() == ResponseFormat.Kind.JSON_SCHEMA, vision, false, tokens);
    }
}
