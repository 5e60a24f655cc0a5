package dev.cortex.api;

import java.util.Collection;
import java.util.Locale;

import org.apache.camel.Message;

import dev.cortex.failure.BadRequestException;

/**
 * Reads the request headers Cortex acts on, so that a bad value is the caller's 400 naming the header, never a 500
 * from a failed type conversion. A value must come once, be at most {@value #MAX_LENGTH} characters and hold no
 * control character; what it means is for its reader to check. The same rule holds the routing values of a body and
 * of {@code GET /api/route}'s query ({@link RoutePreferences}).
 */
final class RequestHeaders {

    /** Far longer than any strategy or list of provider names; a longer value is not a routing request. */
    static final int MAX_LENGTH = 256;

    private RequestHeaders() {}

    /** The one value of header {@code name}, checked; null when it was not sent. */
    static String text(Message in, String name) {
        Object value = in.getHeader(name);
        if (value instanceof Collection<?> values) { // Camel keeps a header sent more than once as a list
            if (values.size() > 1) {
                throw new BadRequestException(
                        name, "Send the " + name + " header once, not " + values.size() + " times.");
            }
            value = values.isEmpty() ? null : values.iterator().next();
        }
        return checked(name, value == null ? null : value.toString());
    }

    /**
     * A yes-or-no header: {@code true} or {@code false} in any case, or {@code 1} or {@code 0}. Not sent, or sent
     * empty, is no.
     */
    static boolean flag(Message in, String name) {
        String value = text(in, name);
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new BadRequestException(
                    name, "The " + name + " header must be true or false (or 1 or 0).");
        };
    }

    /** {@code value} as sent for {@code name} (a header, query parameter or field), or a 400 naming it; null stays null. */
    static String checked(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.length() > MAX_LENGTH) {
            throw new BadRequestException(
                    name,
                    "'" + name + "' is longer than " + MAX_LENGTH + " characters; no routing value is that long.");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                throw new BadRequestException(name, "'" + name + "' holds a control character.");
            }
        }
        return value;
    }
}
