package dev.cortex.failure;

/** The caller's request cannot be served as sent: 400 (or the given status) with a message saying why. */
public final class BadRequestException extends RuntimeException {

    /** The request is valid, but no configured provider has a model that can do what it needs. */
    public static final String CAPABILITY_UNAVAILABLE = "capability_unavailable";

    private final int status;
    private final String param;
    private final String code;

    public BadRequestException(String param, String message) {
        this(400, param, message);
    }

    public BadRequestException(int status, String param, String message) {
        this(status, param, "invalid_request", message);
    }

    /** @param code the error code the caller sees ({@code invalid_request}, {@link #CAPABILITY_UNAVAILABLE}, ...) */
    public BadRequestException(int status, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.param = param;
        this.code = code;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }
}
