package dev.cortex.api;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.ChatRequest;
import dev.cortex.failure.AccessRefusedException;

/**
 * Holds a request to its key's {@code max_tokens} ceiling: over it is refused, unset is set to it. Public for the
 * messaging front doors, which apply a key's policy as the HTTP ones do.
 */
public final class KeyCeilings {

    private KeyCeilings() {}

    public static ChatRequest apply(ChatRequest request, AccessPolicy policy) {
        Integer ceiling = policy.maxTokens();
        if (ceiling == null) {
            return request;
        }
        if (request.maxTokens() != null && request.maxTokens() > ceiling) {
            throw AccessRefusedException.forbidden(
                    "max_tokens_not_allowed",
                    "max_tokens " + request.maxTokens() + " is refused: key '" + policy.keyName()
                            + "' may ask for at most " + ceiling + ".");
        }
        if (request.maxTokens() != null) {
            return request;
        }
        // unset would let the provider write as much as it likes; the key's ceiling is the caller's limit
        return request.withMaxTokens(ceiling);
    }
}
