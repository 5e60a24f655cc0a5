package dev.cortex.http;

import java.util.Locale;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.cortex.access.Caller;
import dev.cortex.access.GatewayAccess;
import dev.cortex.api.AccessCheck;
import dev.cortex.failure.AccessRefusedException;

/**
 * Runs before every front-door route, before its body is read: refuses what no route should see, and tells the
 * routes who is calling.
 *
 * <ol>
 *   <li>A request from a browser page ({@code Origin}) is refused unless its origin is configured; a configured one
 *       gets CORS headers (and its preflight an answer). Cortex is an API, not a site: off by default. Its own
 *       status page is the exception (see {@link #ownPage}).
 *   <li>A POST whose body is not labelled JSON is refused with 415 (one with no body at all passes). Browsers send
 *       form and text bodies cross-site without asking (no preflight), so accepting them would let any web page
 *       spend the operator's keys. A request labelled as a form is refused too, whatever its method: Cortex reads
 *       no forms.
 *   <li>The gateway key sent is checked: a key Cortex did not issue (or revoked) is a 401 here; a missing key is
 *       the routes' to judge, since some are public.
 * </ol>
 */
final class FrontDoorGuard implements Handler<RoutingContext> {

    /** Where the caller is left for the route ({@link StreamingHttpConsumer} hands it to the exchange). */
    static final String CALLER = "cortex.caller";

    private static final String EXPOSED_HEADERS =
            "X-Cortex-Provider, X-Cortex-Model, X-Cortex-Attempts, X-Cortex-Overhead-Ms, X-Cortex-Route, Retry-After";
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, x-api-key, X-Cortex-Strategy,"
            + " X-Cortex-Provider, X-Cortex-Providers, X-Cortex-Explain";

    private final GatewayAccess access;
    private final Set<String> allowedOrigins;
    private final DoorRefusals refusals;
    private final MeterRegistry meters;

    /** @param meters where requests are counted per gateway key, by name (configured keys only) */
    FrontDoorGuard(GatewayAccess access, Set<String> allowedOrigins, DoorRefusals refusals, MeterRegistry meters) {
        this.access = access;
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        this.refusals = refusals;
        this.meters = meters;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String origin = request.getHeader("Origin");
        if (origin != null && !ownPage(request, origin)) {
            if (!allowedOrigins.contains(origin)) {
                refusals.send(
                        ctx,
                        403,
                        "origin_not_allowed",
                        "Requests from the web page at '" + printable(origin) + "' are refused: browsers may call"
                                + " Cortex only from the origins set in cortex.http.allowed-origins.");
                return;
            }
            if (allowCrossOrigin(ctx, origin)) {
                return; // a preflight, answered
            }
        }
        String contentType = request.getHeader("Content-Type");
        // a form label is refused whatever the method: Vert.x's body handler starts decoding a form for it before
        // any route runs, and throws when the method carries no form (a GET), which Vert.x answers with a bare 500
        if (form(contentType) || (request.method() == HttpMethod.POST && !json(contentType) && !bodiless(request))) {
            refusals.send(
                    ctx,
                    415,
                    "unsupported_media_type",
                    "Send the request body as JSON, with the header 'Content-Type: application/json'.");
            return;
        }
        try {
            Caller caller = access.identify(request.getHeader("Authorization"), request.getHeader("x-api-key"));
            if (caller != Caller.OPEN && caller != Caller.ANONYMOUS) {
                meters.counter("cortex.gateway.requests", "key", caller.name()).increment();
            }
            ctx.put(CALLER, caller);
        } catch (AccessRefusedException refused) {
            refusals.send(
                    ctx,
                    refused.status(),
                    refused.code(),
                    refused.getMessage(),
                    "WWW-Authenticate",
                    AccessCheck.CHALLENGE);
            return;
        }
        ctx.next();
    }

    /** The caller the guard established for this request, or nobody when it did not run. */
    static Caller caller(RoutingContext ctx) {
        Caller caller = ctx.get(CALLER);
        return caller != null ? caller : Caller.ANONYMOUS;
    }

    /**
     * A request from Cortex's own status page: its origin is Cortex itself. Chromium sends {@code Origin} with a
     * same-origin POST (the page's restore button). A page on another site can pass for Cortex's own only through DNS
     * rebinding, which needs a host name: so the origin is trusted when the host is an address or {@code localhost},
     * or when the request carries a gateway key, which a rebinding page does not have.
     */
    private static boolean ownPage(HttpServerRequest request, String origin) {
        String host = request.getHeader("Host");
        if (host == null || !origin.equals((request.isSSL() ? "https://" : "http://") + host)) {
            return false;
        }
        String name = host.startsWith("[") ? host : host.replaceFirst(":\\d+$", "");
        boolean address = name.startsWith("[") || name.equals("localhost") || name.matches("[0-9.]+");
        return address || request.getHeader("Authorization") != null || request.getHeader("x-api-key") != null;
    }

    /** Adds CORS headers for a configured origin; answers its preflight. Returns whether the request is done. */
    private static boolean allowCrossOrigin(RoutingContext ctx, String origin) {
        HttpServerResponse response = ctx.response();
        response.putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
        if (ctx.request().method() == HttpMethod.OPTIONS
                && ctx.request().getHeader("Access-Control-Request-Method") != null) {
            response.setStatusCode(204)
                    .putHeader("Access-Control-Allow-Methods", "GET, POST")
                    .putHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                    .putHeader("Access-Control-Max-Age", "600")
                    .end();
            return true;
        }
        response.putHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        return false;
    }

    /** A POST with nothing in it (restore): no body a browser could have smuggled in. */
    private static boolean bodiless(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        return request.getHeader("Content-Type") == null
                && request.getHeader("Transfer-Encoding") == null
                && (length == null || length.equals("0"));
    }

    /** {@code application/json}, or any {@code application/<something>+json}, with or without parameters. */
    static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim()
                .toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** A form body's label, as Vert.x's body handler recognises one (the first Content-Type, any case). */
    private static boolean form(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data");
    }

    /** An origin as it may appear in a message: printable ASCII, bounded. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 200; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
