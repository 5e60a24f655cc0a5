package dev.cortex.sim;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** A whole (non-streamed) response in a provider's wire format: status, extra headers, JSON body. */
record WireReply(int status, Map<String, String> headers, JsonNode body) {

    WireReply(int status, JsonNode body) {
        this(status, Map.of(), body);
    }

    /** A request a wire refuses to read (malformed JSON, a missing or rejected field, no key), with its reply. */
    static final class Refused extends RuntimeException {
        private final transient WireReply reply;

        Refused(WireReply reply) {
            super(null, null, false, false);
            this.reply = reply;
        }

        WireReply reply() {
            return reply;
        }
    }

    /** Seconds as the providers write them in messages: "6.5s". */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
    }

    /** Whole seconds to wait, rounded up and never negative, as Groq's retry-after and Gemini's retryDelay say. */
    static long wholeSeconds(Duration d) {
        return Math.max(0, (long) Math.ceil(d.toMillis() / 1000.0));
    }

    /** The status a fault other than the named refusals asks for: a {@link Fault.Status}'s own code, else 500. */
    static int status(Fault fault) {
        return fault instanceof Fault.Status s ? s.code() : 500;
    }

    Refused refused() {
        return new Refused(this);
    }
}
