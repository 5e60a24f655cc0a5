package dev.cortex.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.failure.BadRequestException;

/**
 * {@code GET /status} and its two assets: the status page, a fixed set of files from the classpath ({@code status/}),
 * read once. The page is public and holds no data: everything it shows it reads from the admin endpoints, with the key
 * the operator types into it. Served with a policy that lets it load nothing but its own files.
 */
public final class StatusPage implements Processor {

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "status.css", "text/css; charset=utf-8",
            "status.js", "text/javascript; charset=utf-8");

    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private final Map<String, byte[]> contents = new LinkedHashMap<>();

    public StatusPage() {
        FILES.keySet().forEach(name -> contents.put(name, read("status/" + name)));
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        String file = in.getHeader("file", "index.html", String.class);
        byte[] body = contents.get(file);
        if (body == null) {
            throw new BadRequestException(404, "file", "The status page has no file '" + file + "'.");
        }
        in.removeHeaders("*");
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        in.setHeader(Exchange.CONTENT_TYPE, FILES.get(file));
        in.setHeader("Cache-Control", "no-cache");
        in.setHeader("X-Content-Type-Options", "nosniff");
        in.setHeader("Referrer-Policy", "no-referrer");
        in.setHeader("Content-Security-Policy", POLICY);
        in.setBody(body);
    }

    private static byte[] read(String resource) {
        try (InputStream in = StatusPage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The status page's " + resource + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
