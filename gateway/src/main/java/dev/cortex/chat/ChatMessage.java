package dev.cortex.chat;

/** One turn of a conversation, in the gateway's own terms (roles: system, user, assistant, tool). */
public record ChatMessage(String role, String content) {

    public boolean isSystem() {
        return "system".equals(role);
    }
}
