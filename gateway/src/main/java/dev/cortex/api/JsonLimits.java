package dev.cortex.api;

/**
 * How much structure one request body may hold, enforced while it is parsed ({@link BoundedJsonReader}). The body
 * size limit bounds bytes, not the tree they become: {@code [{},{},...]} is three bytes a node, and each node costs far
 * more memory than three bytes.
 *
 * @param maxMessages     entries of the top-level {@code messages} array
 * @param maxContentParts entries of one message's {@code content} array, or of Ollama's {@code images}
 * @param maxDepth        arrays and objects nested in one another, the body itself being the first level
 * @param maxNodes        values of every kind in the whole body: each object, array, string, number, boolean and null
 */
public record JsonLimits(int maxMessages, int maxContentParts, int maxDepth, int maxNodes) {

    public JsonLimits {
        atLeastOne("maxMessages", maxMessages);
        atLeastOne("maxContentParts", maxContentParts);
        atLeastOne("maxDepth", maxDepth);
        atLeastOne("maxNodes", maxNodes);
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, not " + value);
        }
    }
}
