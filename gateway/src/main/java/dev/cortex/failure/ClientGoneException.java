package dev.cortex.failure;

/** The caller closed its connection while Cortex was still finding it an answer: stop, do not try other providers. */
public final class ClientGoneException extends RuntimeException {

    public ClientGoneException() {
        super("the client closed the connection", null, false, false);
    }
}
