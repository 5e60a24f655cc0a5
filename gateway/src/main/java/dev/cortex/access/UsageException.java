package dev.cortex.access;

/** The command line asks for something {@link KeyCommand} does not do; the message says what. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
