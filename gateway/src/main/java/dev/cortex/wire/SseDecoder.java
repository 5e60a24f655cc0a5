package dev.cortex.wire;

/**
 * Server-Sent Events framing (OpenAI/Groq, Gemini with {@code \r\n\r\n}, Cohere with {@code event:} names): collects
 * {@code event:} and {@code data:} lines and hands each complete event to the provider's handler. Comments and
 * unknown fields are skipped, as the SSE rules say.
 */
public final class SseDecoder extends LineFramedDecoder {

    /** One provider's reading of its events. */
    public interface EventHandler {
        void onEvent(String event, String data);

        /** Whether the provider's end marker was seen; checked when the body ends. */
        boolean complete();
    }

    private final EventHandler handler;
    private String event;
    private StringBuilder data;

    public SseDecoder(EventHandler handler) {
        this.handler = handler;
    }

    @Override
    void bodyEnded() {
        dispatch(); // an event the body ended without its blank line
    }

    @Override
    boolean endMarkerSeen() {
        return handler.complete();
    }

    @Override
    void onLine(String line) {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.charAt(0) == ':') {
            return; // comment / keep-alive
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("data")) {
            if (data == null) {
                data = new StringBuilder(value);
            } else {
                data.append('\n').append(value);
            }
        } else if (field.equals("event")) {
            event = value;
        }
    }

    private void dispatch() {
        if (data != null) {
            String e = event, d = data.toString();
            event = null;
            data = null;
            handler.onEvent(e, d);
        } else {
            event = null;
        }
    }
}
