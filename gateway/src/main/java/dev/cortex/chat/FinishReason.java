package dev.cortex.chat;

/** Why a generation ended, normalised across providers; each front door renders it in its own words. */
public enum FinishReason {
    STOP("stop", "stop"),
    LENGTH("length", "length"),
    TOOL_CALLS("tool_calls", "stop"),
    CONTENT_FILTER("content_filter", "stop");

    private final String openAi;
    private final String ollama;

    FinishReason(String openAi, String ollama) {
        this.openAi = openAi;
        this.ollama = ollama;
    }

    public String openAi() {
        return openAi;
    }

    public String ollama() {
        return ollama;
    }
}
