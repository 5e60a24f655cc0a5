package dev.cortex.chat;

import java.util.List;

/**
 * One turn of a conversation, in the gateway's own terms.
 *
 * @param role       system, user, assistant or tool
 * @param content    the text (may be empty: an assistant turn that only calls tools)
 * @param images     images after the text (user turns), possibly none
 * @param toolCalls  the tools an assistant turn called, possibly none
 * @param toolCallId on a tool turn, the call whose result it carries; else null
 * @param name       on a tool turn, the function's name when known (the caller's {@code name}, or looked up from the
 *                   call it answers); else null
 */
public record ChatMessage(
        String role,
        String content,
        List<ImageInput> images,
        List<ToolCall> toolCalls,
        String toolCallId,
        String name) {

    public ChatMessage {
        content = content == null ? "" : content;
        images = images == null ? List.of() : List.copyOf(images);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), List.of(), null, null);
    }

    public static ChatMessage user(String content, List<ImageInput> images) {
        return new ChatMessage("user", content, images, List.of(), null, null);
    }

    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatMessage("assistant", content, List.of(), toolCalls, null, null);
    }

    public static ChatMessage toolResult(String toolCallId, String name, String content) {
        return new ChatMessage("tool", content, List.of(), List.of(), toolCallId, name);
    }

    public boolean isSystem() {
        return "system".equals(role);
    }

    public boolean isTool() {
        return "tool".equals(role);
    }
}
