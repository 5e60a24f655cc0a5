package dev.cortex.failure;

/** The caller's request cannot be served as sent: 400 (or the given status) with a message saying why. */
public final class BadRequestException extends RuntimeException {

    private final int status;
    private final String param;

    public BadRequestException(String param, String message) {
        this(400, param, message);
    }

    public BadRequestException(int status, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.param = param;
    }

    public int status() {
        return status;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }
}
