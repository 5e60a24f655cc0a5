package dev.cortex.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The SHA-256 of a gateway key's UTF-8 bytes: all Cortex keeps of a key. A value type rather than a bare array so
 * that keys compare by content and so that {@link #toString()} can keep the digest out of logs and exceptions.
 */
public final class KeyHash {

    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final byte[] digest;

    private KeyHash(byte[] digest) {
        this.digest = digest;
    }

    /** The hash of a key as a client presents it. */
    public static KeyHash of(String key) {
        try {
            return new KeyHash(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256 (java.security.MessageDigest's contract)
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code text} is a hash as the key file writes it: 64 hex digits (either case is read). */
    public static boolean isHex(String text) {
        return HEX.matcher(text).matches();
    }

    /** The hash written as 64 hex digits; see {@link #isHex}. */
    public static KeyHash fromHex(String hex) {
        if (!isHex(hex)) {
            throw new IllegalArgumentException("A SHA-256 is 64 hex digits, got " + hex.length() + " characters");
        }
        return new KeyHash(HexFormat.of().parseHex(hex));
    }

    /** 64 lowercase hex digits, for the key file and the {@code hash} command only. */
    public String hex() {
        return HexFormat.of().formatHex(digest);
    }

    /** Compares in time independent of where the digests differ, so a timing probe learns nothing of a hash. */
    public boolean matches(KeyHash other) {
        return MessageDigest.isEqual(digest, other.digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyHash other && Arrays.equals(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    /** Never the digest: a key's name tells entries apart wherever one is printed. */
    @Override
    public String toString() {
        return "sha256:(hidden)";
    }
}
