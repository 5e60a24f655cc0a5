package dev.cortex.access;

/**
 * The key file says something Cortex cannot use. The message names the file, the entry (by position and name), the
 * line and the field, and never quotes a hash or a key.
 */
public final class InvalidKeyFileException extends IllegalArgumentException {

    public InvalidKeyFileException(String message) {
        super(message);
    }
}
