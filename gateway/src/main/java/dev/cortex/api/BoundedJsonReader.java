package dev.cortex.api;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.failure.BadRequestException;

/**
 * Reads a request body into a JSON tree, and refuses it with a 400 the moment it holds more than {@link JsonLimits}
 * allows. The tree is built here, value by value from Jackson's streaming parser, rather than by
 * {@code ObjectMapper.readTree}, so that a body over a limit is refused at the first value past it: it never becomes
 * more than the limit's worth of nodes, however long it is. Memory per request is then bounded by the node limit
 * times a node's size, plus the body's bytes.
 *
 * <p>Thread-safe: each read has its own parser and its own count.
 */
public final class BoundedJsonReader {

    /** How much of a field path an error repeats (a key may be as long as the body). */
    private static final int PATH_LIMIT = 200;

    private final JsonLimits limits;
    private final JsonFactory factory;

    public BoundedJsonReader(JsonLimits limits) {
        this.limits = limits;
        // Jackson's own nesting limit sits one level above ours: a body nested too deep is refused here, naming the
        // field and the limit, and never by Jackson as mere invalid JSON
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth() + 1)
                        .build())
                .build();
    }

    /** The body as JSON, or a 400 saying why it is not (empty, invalid, or over a limit). */
    public JsonNode read(byte[] body) {
        if (body == null || body.length == 0) {
            throw new BadRequestException(null, "The request body is empty; send a JSON object.");
        }
        try (JsonParser parser = factory.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return MissingNode.getInstance(); // only whitespace: the door says what it expected instead
            }
            return new TreeBuild(parser).body(first);
        } catch (IOException e) {
            throw new BadRequestException(null, "The request body is not valid JSON.");
        }
    }

    /** Where a value sits, as far as the limits care: the limited arrays are found by their place in a request. */
    private enum Part {
        ROOT,
        MESSAGES,
        MESSAGE,
        CONTENT_PARTS,
        OTHER;

        /** What the field {@code name} of an object in this place is. */
        Part field(String name) {
            return switch (this) {
                case ROOT -> "messages".equals(name) ? MESSAGES : OTHER;
                case MESSAGE -> "content".equals(name) || "images".equals(name) ? CONTENT_PARTS : OTHER;
                default -> OTHER;
            };
        }

        /** What an element of an array in this place is. */
        Part element() {
            return this == MESSAGES ? MESSAGE : OTHER;
        }
    }

    /**
     * One read: the parser, the count of values so far, the containers still open, and the path to the value being
     * read (for errors). The tree is built without recursion, so no nesting limit, however high it is set, can
     * exhaust the thread's stack.
     */
    private final class TreeBuild {
        private final JsonParser parser;
        private final JsonNodeFactory nodes = JsonNodeFactory.instance;
        private final Deque<Open> open = new ArrayDeque<>();
        private final String[] keys; // keys[level]: the field name that led to this level, or null for an index
        private final int[] indexes; // indexes[level]: the array index that led to this level
        private int count;

        /** A container being filled: its members are at {@code level}, and are the limits' {@code part}. */
        private record Open(ContainerNode<?> node, Part part, int level, int maxEntries) {}

        TreeBuild(JsonParser parser) {
            this.parser = parser;
            this.keys = new String[limits.maxDepth() + 2];
            this.indexes = new int[limits.maxDepth() + 2];
        }

        /** The body, whose first token is {@code first}. */
        JsonNode body(JsonToken first) throws IOException {
            JsonNode root = value(first, Part.ROOT, 0);
            while (!open.isEmpty()) {
                Open container = open.peek();
                JsonToken token = parser.nextToken();
                if (container.node() instanceof ObjectNode object) {
                    if (token == JsonToken.END_OBJECT) {
                        open.pop();
                        continue;
                    }
                    if (token != JsonToken.FIELD_NAME) {
                        throw new JsonParseException(parser, "Unexpected token " + token + " in an object");
                    }
                    String name = parser.currentName();
                    keys[container.level()] = name;
                    object.set(name, value(parser.nextToken(), container.part().field(name), container.level()));
                } else {
                    ArrayNode array = (ArrayNode) container.node();
                    if (token == JsonToken.END_ARRAY) {
                        open.pop();
                        continue;
                    }
                    if (token == null) {
                        throw new JsonParseException(parser, "Unexpected end of input in an array");
                    }
                    if (array.size() == container.maxEntries()) {
                        throw tooManyEntries(container.part(), container.level() - 1, container.maxEntries());
                    }
                    keys[container.level()] = null;
                    indexes[container.level()] = array.size();
                    array.add(value(token, container.part().element(), container.level()));
                }
            }
            return root;
        }

        /** The value starting at {@code token}, at {@code level} (the body itself is level 0); a container is left open. */
        private JsonNode value(JsonToken token, Part part, int level) throws IOException {
            if (++count > limits.maxNodes()) {
                throw new BadRequestException(
                        path(level),
                        "The request body holds more than " + limits.maxNodes() + " JSON values: a request may hold"
                                + " at most " + limits.maxNodes() + " (every object, array, string, number, boolean"
                                + " and null counts).");
            }
            return switch (token) {
                case START_OBJECT -> opened(nodes.objectNode(), part, level, Integer.MAX_VALUE);
                case START_ARRAY -> opened(nodes.arrayNode(), part, level, maxEntries(part));
                case VALUE_STRING -> nodes.textNode(parser.getText());
                case VALUE_NUMBER_INT -> integer();
                case VALUE_NUMBER_FLOAT -> nodes.numberNode(parser.getDoubleValue());
                case VALUE_TRUE -> nodes.booleanNode(true);
                case VALUE_FALSE -> nodes.booleanNode(false);
                case VALUE_NULL -> nodes.nullNode();
                default -> throw new JsonParseException(parser, "Unexpected token " + token);
            };
        }

        /** A container at {@code level}, open for its members; or a 400 when it is nested too deep. */
        private ContainerNode<?> opened(ContainerNode<?> container, Part part, int level, int maxEntries) {
            if (level + 1 > limits.maxDepth()) { // the body itself is nested one deep
                String field = path(level);
                throw new BadRequestException(
                        field,
                        "'" + field + "' is nested more than " + limits.maxDepth() + " levels deep: a request may"
                                + " nest arrays and objects at most " + limits.maxDepth() + " levels deep.");
            }
            open.push(new Open(container, part, level + 1, maxEntries));
            return container;
        }

        private int maxEntries(Part part) {
            return switch (part) {
                case MESSAGES -> limits.maxMessages();
                case CONTENT_PARTS -> limits.maxContentParts();
                default -> Integer.MAX_VALUE; // the node limit bounds every other array
            };
        }

        private JsonNode integer() throws IOException {
            return switch (parser.getNumberType()) {
                case INT -> nodes.numberNode(parser.getIntValue());
                case LONG -> nodes.numberNode(parser.getLongValue());
                default -> nodes.numberNode(parser.getBigIntegerValue());
            };
        }

        private BadRequestException tooManyEntries(Part part, int level, int max) {
            String field = path(level);
            if (part == Part.MESSAGES) {
                return new BadRequestException(
                        field,
                        "'" + field + "' holds more than " + max + " messages: a request may carry at most " + max
                                + ".");
            }
            boolean images = "images".equals(keys[level]);
            return new BadRequestException(
                    field,
                    "'" + field + "' holds more than " + max + (images ? " images" : " content parts")
                            + ": one message may carry at most " + max + ".");
        }

        /** The field path of the value at {@code level}, e.g. {@code messages[3].content}; null for the body itself. */
        private String path(int level) {
            if (level == 0) {
                return null;
            }
            StringBuilder path = new StringBuilder();
            for (int l = 1; l <= level && path.length() <= PATH_LIMIT; l++) {
                if (keys[l] == null) {
                    path.append('[').append(indexes[l]).append(']');
                } else {
                    path.append(path.length() == 0 ? "" : ".").append(keys[l]);
                }
            }
            return path.length() <= PATH_LIMIT ? path.toString() : path.substring(0, PATH_LIMIT) + "…";
        }
    }
}
