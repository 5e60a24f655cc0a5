package dev.cortex.api;

/** The response headers that tell a caller how its answer was produced, and the one way their values are made safe. */
public final class ReplyHeaders {

    public static final String PROVIDER = "X-Cortex-Provider";
    public static final String MODEL = "X-Cortex-Model";
    public static final String ATTEMPTS = "X-Cortex-Attempts";
    public static final String OVERHEAD_MS = "X-Cortex-Overhead-Ms";
    public static final String ROUTE = "X-Cortex-Route";

    /** Longer than any honest value of these headers (a route plan of a dozen providers with notes). */
    static final int MAX_LENGTH = 1024;

    private ReplyHeaders() {}

    /**
     * {@code value} fit to be a response header's value. These values carry what callers and providers sent (the
     * model a provider says it served, the model a caller asked for in the route plan): a CR or LF in them would
     * write headers of the sender's choosing, and makes Vert.x refuse the header outright. So every control
     * character (tab too) is dropped; anything beyond ASCII, which a header carries as ISO-8859-1 at best and Netty
     * garbles, becomes {@code ?}; and the value is cut at {@value #MAX_LENGTH} characters. Null stays null.
     */
    public static String safe(String value) {
        if (value == null || isSafe(value)) {
            return value;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_LENGTH));
        for (int i = 0; i < value.length() && out.length() < MAX_LENGTH; ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c); // a character beyond the BMP is one '?', not two
            if (c >= 0x20 && c != 0x7F) { // control characters are dropped
                out.append(c < 0x7F ? (char) c : '?');
            }
        }
        return out.toString();
    }

    private static boolean isSafe(String value) {
        if (value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
