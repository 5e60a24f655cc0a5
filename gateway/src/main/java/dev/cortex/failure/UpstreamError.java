package dev.cortex.failure;

import java.net.ConnectException;
import java.time.Duration;

import io.netty.channel.ConnectTimeoutException;

/**
 * The facts of one failed upstream call, as a provider adapter or the HTTP client observed them. Deciding what to do
 * about them is {@link FailureClassifier}'s job alone.
 *
 * @param kind       where the failure happened
 * @param status     the HTTP status for {@link Kind#HTTP_STATUS}, else 0
 * @param code       the provider's own error code or status word ({@code rate_limit_exceeded}, {@code RESOURCE_EXHAUSTED},
 *                   {@code API_KEY_INVALID}, ...), or null
 * @param retryAfter how long the provider asked us to wait, or null
 * @param quota      whether the provider reports a quota (not a short rate window) as the cause, and its scope
 * @param message    the provider's message; for logs and the client's 400s only, never with a key in it
 */
public record UpstreamError(Kind kind, int status, String code, Duration retryAfter, Quota quota, String message) {

    public enum Kind {
        HTTP_STATUS,
        CONNECT,
        RESET,
        FIRST_TOKEN_TIMEOUT,
        IDLE_TIMEOUT,
        TOTAL_TIMEOUT,
        CUT,
        STREAM_ERROR,
        MALFORMED
    }

    public enum Quota {
        NONE,
        PER_MINUTE,
        PER_DAY
    }

    public static UpstreamError http(int status, String code, Duration retryAfter, Quota quota, String message) {
        return new UpstreamError(
                Kind.HTTP_STATUS, status, code, retryAfter, quota == null ? Quota.NONE : quota, message);
    }

    public static UpstreamError of(Kind kind, String message) {
        return new UpstreamError(kind, 0, null, null, Quota.NONE, message);
    }

    /** The same failure with other words (a provider's text with its keys masked). */
    public UpstreamError withMessage(String text) {
        return new UpstreamError(kind, status, code, retryAfter, quota, text);
    }

    /** The connection could not be opened ({@code connect}: refused, or timed out), or broke before any answer. */
    public static UpstreamError connectFailure(Throwable cause) {
        boolean timeout = cause instanceof ConnectTimeoutException;
        boolean refused = cause instanceof ConnectException || timeout;
        return of(
                refused ? Kind.CONNECT : Kind.RESET,
                (timeout ? "connect timeout: " : "connection failed: ")
                        + cause.getClass().getSimpleName());
    }

    /** The word that stands for this failure in the attempt trail: a status code, or what went wrong. */
    public String label() {
        return switch (kind) {
            case HTTP_STATUS -> status == 429 && quota != Quota.NONE ? "quota" : Integer.toString(status);
            case CONNECT -> "connect";
            case RESET -> "reset"; // the connection broke before the response began
            case FIRST_TOKEN_TIMEOUT, IDLE_TIMEOUT, TOTAL_TIMEOUT -> "timeout";
            case CUT -> "cut";
            case STREAM_ERROR -> "stream_error";
            case MALFORMED -> "malformed";
        };
    }
}
