package dev.cortex;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP/1.1 caller on a plain socket, for the faults real clients commit that a well-behaved client library never
 * does: stopping to read mid-stream, reading slowly, hanging up at a chosen moment. Its receive buffer is small, so a
 * caller that stops reading soon leaves the gateway's writes untaken.
 */
public final class RawHttpClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private String tail = ""; // the last bytes received, enough to find a marker that spans two reads

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Sends {@code POST path} with a JSON body; reads nothing yet. */
    public static RawHttpClient post(int port, String path, String json) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096); // before connecting, so the window it advertises stays small
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: application/json\r\n" + "Content-Length: " + body.length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            return new RawHttpClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps what arrived; whether {@code marker} is now in it (scanning only the new bytes, however much arrived). */
    private boolean take(byte[] buffer, int n, String marker) {
        received.write(buffer, 0, n);
        String seen = tail + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        tail = seen.substring(Math.max(0, seen.length() - 256));
        return seen.contains(marker);
    }

    /** Reads until {@code marker} has arrived (or the connection ends); returns everything read so far. */
    public String readUntil(String marker, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        byte[] buffer = new byte[1024];
        try {
            socket.setSoTimeout((int) Math.max(1, within.toMillis()));
            while (System.nanoTime() < deadline) {
                int n = in.read(buffer);
                if (n < 0 || take(buffer, n, marker)) {
                    break;
                }
            }
        } catch (IOException e) {
            // a timeout or a reset: what arrived is what the caller checks
        }
        return text();
    }

    /**
     * Reads like a slow consumer: {@code bytes} at a time, resting {@code rest} in between, until the connection ends
     * or {@code marker} arrives. The rests are the behaviour under test, not a wait for something to happen.
     */
    public String readSlowly(int bytes, Duration rest, String marker, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        byte[] buffer = new byte[bytes];
        try {
            socket.setSoTimeout((int) Math.max(1, within.toMillis()));
            while (System.nanoTime() < deadline) {
                int got = 0;
                while (got < bytes) {
                    int n = in.read(buffer, 0, bytes - got);
                    if (n < 0 || take(buffer, n, marker)) {
                        return text();
                    }
                    got += n;
                }
                Thread.sleep(rest.toMillis());
            }
        } catch (IOException e) {
            // the connection ended: what arrived is what the caller checks
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return text();
    }

    /** Whether the gateway closed the connection (a read sees its end or a reset), reading whatever is left. */
    public boolean closedByServer(Duration within) {
        byte[] buffer = new byte[64 * 1024];
        try {
            socket.setSoTimeout((int) Math.max(1, within.toMillis()));
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                int n = in.read(buffer);
                if (n < 0) {
                    return true;
                }
                received.write(buffer, 0, n);
            }
            return false;
        } catch (IOException reset) {
            return !(reset instanceof java.net.SocketTimeoutException);
        }
    }

    public String text() {
        return received.toString(StandardCharsets.UTF_8);
    }

    /** Hangs up. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
