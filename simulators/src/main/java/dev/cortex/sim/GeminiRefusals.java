package dev.cortex.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Gemini's refusals, apart from {@link GeminiWire} so the wire keeps to reading requests and framing answers: Google
 * RPC error bodies ({@code {"error":{code,message,status,details}}}), the 400s and 403s for requests Gemini rejects,
 * its quota failures, and the reply each {@link Fault} is refused with.
 */
final class GeminiRefusals {

    private GeminiRefusals() {}

    static ObjectNode error(int code, String status, String message, ArrayNode details) {
        ObjectNode body = Json.object();
        ObjectNode e = body.putObject("error")
                .put("code", code)
                .put("message", message)
                .put("status", status);
        if (details != null) {
            e.set("details", details);
        }
        return body;
    }

    static WireReply.Refused invalid(String message) {
        return new WireReply(400, error(400, "INVALID_ARGUMENT", message, null)).refused();
    }

    /** A chat without a key: Gemini answers 403, not 401, and spells out why. */
    static WireReply.Refused noKeyOnChat() {
        return new WireReply(
                        403,
                        error(
                                403,
                                "PERMISSION_DENIED",
                                "Method doesn't allow unregistered callers (callers "
                                        + "without established identity). Please use API Key or other form of API consumer identity to call this API.",
                                null))
                .refused();
    }

    static WireReply noKeyOnModels() {
        return new WireReply(403, error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.", null));
    }

    static WireReply notFound(String model) {
        return new WireReply(
                404,
                error(
                        404,
                        "NOT_FOUND",
                        "models/" + model + " is not found for API version v1beta, or is "
                                + "not supported for generateContent. Call ListModels to see the list of available models and their "
                                + "supported methods.",
                        null));
    }

    static WireReply unknownPath(String path) {
        return new WireReply(404, error(404, "NOT_FOUND", "Not found: " + path, null));
    }

    private static ArrayNode quotaDetails(String quotaId, String retryDelay) {
        ArrayNode details = Json.array();
        ObjectNode failure = details.addObject().put("@type", "type.googleapis.com/google.rpc.QuotaFailure");
        failure.putArray("violations")
                .addObject()
                .put("quotaMetric", "generativelanguage.googleapis.com/generate_content_free_tier_requests")
                .put("quotaId", quotaId)
                .put("quotaValue", "10");
        details.addObject().put("@type", "type.googleapis.com/google.rpc.Help");
        if (retryDelay != null) {
            details.addObject()
                    .put("@type", "type.googleapis.com/google.rpc.RetryInfo")
                    .put("retryDelay", retryDelay);
        }
        return details;
    }

    static WireReply refusal(Fault fault, String model) {
        if (fault instanceof Fault.RateLimited r) {
            return new WireReply(
                    429,
                    error(
                            429,
                            "RESOURCE_EXHAUSTED",
                            "You exceeded your current quota, please check your "
                                    + "plan and billing details. Please retry in " + WireReply.seconds(r.retryAfter())
                                    + ".",
                            quotaDetails(
                                    "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                                    WireReply.wholeSeconds(r.retryAfter()) + "s")));
        }
        if (fault instanceof Fault.QuotaExhausted) {
            return new WireReply(
                    429,
                    error(
                            429,
                            "RESOURCE_EXHAUSTED",
                            "You exceeded your current quota, please check your " + "plan and billing details.",
                            quotaDetails("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "43200s")));
        }
        if (fault instanceof Fault.InvalidKey) {
            ArrayNode details = Json.array();
            details.addObject()
                    .put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                    .put("reason", "API_KEY_INVALID")
                    .put("domain", "googleapis.com");
            return new WireReply(
                    400, error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", details));
        }
        if (fault instanceof Fault.ModelNotFound) {
            return notFound(model);
        }
        int code = WireReply.status(fault);
        String status = code == 503
                ? "UNAVAILABLE"
                : code == 504
                        ? "DEADLINE_EXCEEDED"
                        : code == 400
                                ? "INVALID_ARGUMENT"
                                : code == 403 ? "PERMISSION_DENIED" : code == 401 ? "UNAUTHENTICATED" : "INTERNAL";
        return new WireReply(
                code,
                error(
                        code,
                        status,
                        code == 503
                                ? "The model is overloaded. Please try again later."
                                : "An internal error has occurred.",
                        null));
    }
}
