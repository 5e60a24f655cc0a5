package dev.cortex.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a byte stream into UTF-8 lines ended by LF, CRLF or CR, however the network cut it: a multi-byte character
 * or a CRLF split across two reads comes out whole. Shared by the SSE and NDJSON framings.
 */
final class LineSplitter {

    private final Consumer<String> onLine;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256);
    private boolean lastWasCr;

    LineSplitter(Consumer<String> onLine) {
        this.onLine = onLine;
    }

    void feed(byte[] bytes) {
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\n' && lastWasCr) { // the LF of a CRLF whose CR ended the previous line
                lastWasCr = false;
                start = i + 1;
                continue;
            }
            lastWasCr = false;
            if (b == '\n' || b == '\r') {
                pending.write(bytes, start, i - start);
                emit();
                lastWasCr = b == '\r';
                start = i + 1;
            }
        }
        pending.write(bytes, start, bytes.length - start);
    }

    /** Bytes after the last line break, if any (a final line without a newline). */
    String remainder() {
        return pending.size() == 0 ? null : pending.toString(StandardCharsets.UTF_8);
    }

    private void emit() {
        String line = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        onLine.accept(line);
    }
}
