package dev.cortex.chat;

/**
 * An image in a message, always carried as its bytes: a data URL is decoded at the front door, and an http URL is
 * fetched there only when the operator allows it (no provider is handed a URL it would fetch on its own).
 *
 * @param mediaType e.g. {@code image/png}
 * @param base64    the image's bytes in base64, as every provider's wire wants them
 */
public record ImageInput(String mediaType, String base64) {

    /** As a data URL ({@code data:image/png;base64,...}): OpenAI's and Groq's form. */
    public String dataUrl() {
        return "data:" + mediaType + ";base64," + base64;
    }
}
