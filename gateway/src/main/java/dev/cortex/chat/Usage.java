package dev.cortex.chat;

/**
 * Token counts of one answer.
 *
 * @param billedPromptTokens     what the provider bills for the prompt, when it says so apart from what it processed
 *                               (Cohere's {@code billed_units}); otherwise the same as {@code promptTokens}
 * @param billedCompletionTokens likewise for the answer
 */
public record Usage(int promptTokens, int completionTokens, int billedPromptTokens, int billedCompletionTokens) {

    public static final Usage NONE = new Usage(0, 0);

    /** Counts where what is billed is what was processed. */
    public Usage(int promptTokens, int completionTokens) {
        this(promptTokens, completionTokens, promptTokens, completionTokens);
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
