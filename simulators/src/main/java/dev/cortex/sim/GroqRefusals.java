package dev.cortex.sim;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Groq's refusals, apart from {@link GroqWire} so the wire keeps to reading requests and framing answers: the
 * {@code {"error":{message,type,code}}} bodies, the 400s for fields Groq rejects, its rate-limit headers (on every
 * response, exhausted on a daily quota), and the reply each {@link Fault} is refused with.
 */
final class GroqRefusals {

    private GroqRefusals() {}

    static ObjectNode error(String message, String type, String code) {
        ObjectNode e = Json.object();
        e.putObject("error").put("message", message).put("type", type).put("code", code);
        return e;
    }

    static WireReply.Refused badRequest(String message) {
        return new WireReply(400, error(message, "invalid_request_error", null)).refused();
    }

    /** Groq's 400 for image parts sent to a text-only model: its validator wants the content as a string. */
    static WireReply.Refused imagesRefused(int message, String role) {
        String at = "messages." + message + ".content";
        return badRequest("'messages." + message + "' : for 'role:" + role + "' the following must be satisfied[('" + at
                + "' : value must be a string)]");
    }

    static WireReply invalidKey() {
        return new WireReply(401, error("Invalid API Key", "invalid_request_error", "invalid_api_key"));
    }

    static WireReply modelNotFound(String model) {
        return new WireReply(
                404,
                error(
                        "The model `" + model + "` does not exist or you do not have access to it.",
                        "invalid_request_error",
                        "model_not_found"));
    }

    static WireReply unknownUrl(String path) {
        return new WireReply(404, error("Unknown request URL: " + path, "invalid_request_error", "unknown_url"));
    }

    static Map<String, String> rateLimitHeaders(boolean exhausted) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-ratelimit-limit-requests", "14400");
        h.put("x-ratelimit-limit-tokens", "6000");
        h.put("x-ratelimit-remaining-requests", exhausted ? "0" : "14399");
        h.put("x-ratelimit-remaining-tokens", exhausted ? "0" : "5843");
        h.put("x-ratelimit-reset-requests", exhausted ? "2h24m0s" : "6s");
        h.put("x-ratelimit-reset-tokens", "7.66s");
        h.put("x-request-id", "req_sim");
        return h;
    }

    static WireReply refusal(Fault fault, String model) {
        if (fault instanceof Fault.RateLimited r) {
            return new WireReply(
                    429,
                    Map.of("retry-after", Long.toString(WireReply.wholeSeconds(r.retryAfter()))),
                    error(
                            "Rate limit reached for model `"
                                    + model
                                    + "` in organization `org_sim` service tier `on_demand` on tokens per minute (TPM): Limit 6000, "
                                    + "Used 5900, Requested 400. Please try again in "
                                    + WireReply.seconds(r.retryAfter())
                                    + ". Visit https://console.groq.com/docs/rate-limits for more information.",
                            "tokens",
                            "rate_limit_exceeded"));
        }
        if (fault instanceof Fault.QuotaExhausted) {
            Map<String, String> headers = rateLimitHeaders(true);
            headers.put("retry-after", "8640");
            return new WireReply(
                    429,
                    headers,
                    error(
                            "Rate limit reached for model `" + model + "` in organization "
                                    + "`org_sim` service tier `on_demand` on requests per day (RPD): Limit 14400, Used 14400, "
                                    + "Requested 1. Please try again in 2h24m0s.",
                            "requests",
                            "rate_limit_exceeded"));
        }
        if (fault instanceof Fault.InvalidKey) {
            return invalidKey();
        }
        if (fault instanceof Fault.ModelNotFound) {
            return modelNotFound(model);
        }
        int code = WireReply.status(fault);
        String message = code == 400
                ? "Bad request"
                : code == 413
                        ? "Request Entity Too Large"
                        : code == 498
                                ? "Flex tier capacity exceeded"
                                : code == 503 ? "Service Unavailable" : "Internal Server Error";
        return new WireReply(code, error(message, code >= 500 ? "server_error" : "invalid_request_error", null));
    }
}
