package dev.cortex.wire;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads how long a provider asked us to wait, from the places providers put it. */
public final class RetryHints {

    private static final Pattern GO_DURATION = Pattern.compile("(?:(\\d+(?:\\.\\d+)?)h)?(?:(\\d+(?:\\.\\d+)?)m(?!s))?"
            + "(?:(\\d+(?:\\.\\d+)?)s)?(?:(\\d+(?:\\.\\d+)?)ms)?");
    private static final Pattern IN_TEXT = Pattern.compile("(?i)(?:try again|retry) in ([0-9][0-9hms.]*)");

    private RetryHints() {}

    /** {@code retry-after-ms}, then {@code retry-after} (seconds, possibly fractional, or an HTTP date). */
    public static Duration fromHeaders(Function<String, String> header) {
        String ms = header.apply("retry-after-ms");
        if (ms != null) {
            Duration d = millis(ms, 1);
            if (d != null) {
                return d;
            }
        }
        String ra = header.apply("retry-after");
        if (ra == null || ra.isBlank()) {
            return null;
        }
        Duration seconds = millis(ra, 1000);
        if (seconds != null) {
            return seconds;
        }
        try {
            Duration d = Duration.between(
                    ZonedDateTime.now(), ZonedDateTime.parse(ra.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException notADate) {
            return null; // nonsense: the classifier's default cool-down applies
        }
    }

    /**
     * A number of {@code unit} milliseconds, or null for anything that is not a usable wait: not a number, negative,
     * NaN or infinite. (Absurdly long waits are a number; the classifier caps them.)
     */
    private static Duration millis(String text, double unit) {
        try {
            double value = Double.parseDouble(text.trim()) * unit;
            if (Double.isNaN(value) || Double.isInfinite(value) || value < 0) {
                return null;
            }
            return Duration.ofMillis((long) Math.min(value, Long.MAX_VALUE / 2.0));
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /** Go-style durations as Groq's {@code x-ratelimit-reset-*} and Gemini's {@code retryDelay} write them. */
    public static Duration goDuration(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Matcher m = GO_DURATION.matcher(text.trim());
        if (!m.matches() || m.group().isEmpty()) {
            return null;
        }
        double millis =
                part(m.group(1)) * 3_600_000 + part(m.group(2)) * 60_000 + part(m.group(3)) * 1000 + part(m.group(4));
        return Duration.ofMillis((long) Math.ceil(millis));
    }

    /** "Please try again in 50.597s" / "Please retry in 36.43s." in a provider's message. */
    public static Duration fromText(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = IN_TEXT.matcher(message);
        if (!m.find()) {
            return null;
        }
        String token = m.group(1);
        if (token.endsWith(".")) {
            token = token.substring(0, token.length() - 1);
        }
        return goDuration(token);
    }

    private static double part(String s) {
        return s == null ? 0 : Double.parseDouble(s);
    }
}
