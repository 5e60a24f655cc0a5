package dev.cortex.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.OptionalLong;

import dev.cortex.chat.ImageInput;
import dev.cortex.failure.BadRequestException;

/**
 * Turns the images a request carries into bytes at the front door, so no provider is handed a URL to fetch on its own:
 * a data URL ({@code data:image/png;base64,...}) is decoded and checked; an http(s) URL is fetched only when the
 * operator allows it ({@code cortex.images.fetch-urls}), within a timeout, reading no more than the size limit
 * ({@code cortex.images.max-bytes}, which bounds data URLs too) and taking only an {@code image/*} answer. Each door
 * parses its own shape and hands the image's text here: OpenAI's {@code image_url.url}, Ollama's bare base64.
 */
public final class ImageInputs {

    /** What an operator who has said nothing gets: no fetching, 5 MiB, 5 s. */
    public static final ImageInputs DEFAULTS = new ImageInputs(false, 5 * 1024 * 1024, Duration.ofSeconds(5));

    private final boolean fetchUrls;
    private final int maxBytes;
    private final Duration fetchTimeout;
    private volatile HttpClient client; // made on the first fetch: most gateways never fetch

    /**
     * @param fetchUrls    whether http(s) image URLs are fetched at all
     * @param maxBytes     the largest image accepted, decoded or fetched
     * @param fetchTimeout how long one fetch may take, connection to last byte
     */
    public ImageInputs(boolean fetchUrls, int maxBytes, Duration fetchTimeout) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the image size limit must be positive");
        }
        this.fetchUrls = fetchUrls;
        this.maxBytes = maxBytes;
        this.fetchTimeout = fetchTimeout;
    }

    /** An image named by a URL: a data URL, or an http(s) URL when fetching is allowed. */
    ImageInput fromUrl(String url, String field) {
        String start = url.substring(0, Math.min(url.length(), 8)).toLowerCase(Locale.ROOT);
        if (start.startsWith("data:")) {
            return fromDataUrl(url, field);
        }
        if (start.startsWith("http://") || start.startsWith("https://")) {
            if (!fetchUrls) {
                throw new BadRequestException(
                        field,
                        "'" + field + "': image URLs are not fetched by this gateway; send the image as a data URL"
                                + " (data:image/png;base64,...).");
            }
            return fetch(url, field);
        }
        throw new BadRequestException(
                field, "'" + field + "' must be a data URL (data:image/...;base64,...) or an http(s) URL.");
    }

    /** {@code data:<image/*>;base64,<bytes>}: the media type from the URL, the bytes checked and size-bounded. */
    ImageInput fromDataUrl(String url, String field) {
        int comma = url.indexOf(',');
        String header = comma < 0 ? "" : url.substring(5, comma).toLowerCase(Locale.ROOT);
        if (comma < 0 || !header.endsWith(";base64")) {
            throw new BadRequestException(
                    field, "'" + field + "' must be a base64 data URL (data:image/png;base64,...).");
        }
        String mediaType = header.split(";", 2)[0]; // parameters (;name=..., ;charset=...) are no part of the type
        if (!mediaType.startsWith("image/") || mediaType.length() == "image/".length()) {
            throw new BadRequestException(
                    field, "'" + field + "' must hold an image (data:image/...), not '" + mediaType + "'.");
        }
        return new ImageInput(mediaType, checkedBase64(url.substring(comma + 1), field));
    }

    /**
     * An image as bare base64 with no media type (Ollama's {@code images}): the type is read from the bytes' own
     * signature, and bytes of no image format known here are refused.
     */
    ImageInput fromBase64(String base64, String field) {
        String clean = checkedBase64(base64, field);
        byte[] head = Base64.getDecoder().decode(clean.substring(0, Math.min(clean.length(), 24)));
        String mediaType = sniff(head);
        if (mediaType == null) {
            throw new BadRequestException(field, "'" + field + "' is not a PNG, JPEG, GIF or WebP image.");
        }
        return new ImageInput(mediaType, clean);
    }

    /** The base64 text without whitespace, after checking that it decodes and is within the size limit. */
    private String checkedBase64(String text, String field) {
        String clean = text.replaceAll("\\s", "");
        long decoded = clean.length() / 4L * 3;
        if (decoded > maxBytes + 2L) {
            throw tooLarge(field);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(clean);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(field, "'" + field + "' is not valid base64.");
        }
        if (bytes.length == 0) {
            throw new BadRequestException(field, "'" + field + "' holds no image bytes.");
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(field);
        }
        return clean;
    }

    private ImageInput fetch(String url, String field) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(fetchTimeout)
                    .header("Accept", "image/*")
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(field, "'" + field + "' is not a valid URL.");
        }
        try {
            HttpResponse<InputStream> response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new BadRequestException(
                            field,
                            "'" + field + "': fetching the image failed with HTTP status " + response.statusCode()
                                    + ".");
                }
                String type = response.headers()
                        .firstValue("Content-Type")
                        .map(t -> t.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
                        .orElse("");
                if (!type.startsWith("image/")) {
                    throw new BadRequestException(
                            field, "'" + field + "' is not an image (its Content-Type is '" + type + "').");
                }
                OptionalLong length = response.headers().firstValueAsLong("Content-Length");
                if (length.isPresent() && length.getAsLong() > maxBytes) {
                    throw tooLarge(field);
                }
                byte[] bytes = body.readNBytes(maxBytes + 1); // never more than the limit and one byte to tell
                if (bytes.length > maxBytes) {
                    throw tooLarge(field);
                }
                return new ImageInput(type, Base64.getEncoder().encodeToString(bytes));
            }
        } catch (IOException e) {
            throw new BadRequestException(
                    field,
                    "'" + field + "': the image could not be fetched ("
                            + e.getClass().getSimpleName() + ").");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadRequestException(field, "'" + field + "': fetching the image was interrupted.");
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = HttpClient.newBuilder()
                            .connectTimeout(fetchTimeout)
                            .followRedirects(HttpClient.Redirect.NORMAL)
                            .build();
                }
                c = client;
            }
        }
        return c;
    }

    private BadRequestException tooLarge(String field) {
        return new BadRequestException(
                413,
                field,
                "'" + field + "' holds an image larger than this gateway's limit of " + maxBytes + " bytes.");
    }

    private static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "image/jpeg";
        }
        if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return "image/gif";
        }
        if (b.length >= 12
                && b[0] == 'R'
                && b[1] == 'I'
                && b[2] == 'F'
                && b[3] == 'F'
                && b[8] == 'W'
                && b[9] == 'E'
                && b[10] == 'B'
                && b[11] == 'P') {
            return "image/webp";
        }
        return null;
    }
}
