package dev.cortex.api;

import java.util.Base64;

import dev.cortex.chat.ImageInput;
import dev.cortex.failure.BadRequestException;

/**
 * An image a request carries as bytes: within the size limit ({@code cortex.images.max-bytes}), and in a format every
 * vision provider reads (PNG, JPEG, GIF or WebP), told by its first bytes when nothing names its type (Ollama's
 * {@code images} are bare base64).
 */
final class ImageBytes {

    private ImageBytes() {}

    /**
     * A bare base64 image (standard alphabet, padded), checked and typed.
     *
     * @param at the field it came from, for the 400 that names it
     */
    static ImageInput fromBase64(String base64, String at, int maxBytes) {
        // the decoded size is known before decoding: refuse an oversize image without allocating it
        if ((long) base64.length() / 4 * 3 > maxBytes + 2L) {
            throw tooLarge(at, maxBytes);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException notBase64) {
            throw new BadRequestException(at, "'" + at + "' must be an image in base64.");
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(at, maxBytes);
        }
        String mediaType = mediaType(bytes);
        if (mediaType == null) {
            throw new BadRequestException(at, "'" + at + "' is not a PNG, JPEG, GIF or WebP image.");
        }
        return new ImageInput(mediaType, base64);
    }

    /** The image's media type from its magic bytes, or null when it is none of PNG, JPEG, GIF and WebP. */
    static String mediaType(byte[] b) {
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')) {
            return "image/png";
        }
        if (startsWith(b, 0, 0xff, 0xd8, 0xff)) {
            return "image/jpeg";
        }
        if (startsWith(b, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(b, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return "image/gif";
        }
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
            return "image/webp";
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, int from, int... magic) {
        if (bytes.length < from + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((bytes[from + i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static BadRequestException tooLarge(String at, int maxBytes) {
        // 413 as for an oversize body, and as the OpenAI door answers an oversize image
        return new BadRequestException(
                413, at, "'" + at + "' is larger than the " + maxBytes + "-byte limit for one image.");
    }
}
