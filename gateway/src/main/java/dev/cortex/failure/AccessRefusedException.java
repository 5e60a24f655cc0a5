package dev.cortex.failure;

/**
 * The caller may not do what it asked: 401 (no key, or a key Cortex does not know) or 403 (a key whose policy or
 * scope rules the request out). The message names what was refused, never a key.
 */
public final class AccessRefusedException extends RuntimeException {

    private final int status;
    private final String code;

    private AccessRefusedException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** 401: no key was sent, or the key sent is not one Cortex issued (or it was revoked). */
    public static AccessRefusedException unauthenticated(String message) {
        return new AccessRefusedException(401, "invalid_api_key", message);
    }

    /** 403: the key is valid, but its policy or scope does not cover this request. */
    public static AccessRefusedException forbidden(String code, String message) {
        return new AccessRefusedException(403, code, message);
    }

    public int status() {
        return status;
    }

    /** The machine-readable reason ({@code invalid_api_key}, {@code model_not_allowed}, ...). */
    public String code() {
        return code;
    }
}
