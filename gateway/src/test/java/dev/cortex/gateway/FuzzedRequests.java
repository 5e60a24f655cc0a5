package dev.cortex.gateway;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A deterministic generator of hostile requests for both front doors: valid requests for every endpoint, then
 * mutated in their JSON tree (types swapped, extreme numbers, odd strings, deep nesting, too many messages or
 * parts or values, unknown fields, wrong roles, routing fields), their JSON text (bytes flipped, cut, repeated,
 * invalid UTF-8), their headers (keys, content types, routing headers, origins), their path, query and method; and
 * for a share, their very framing on a raw socket (malformed header lines, bad chunking, lying lengths, no Host, odd
 * request lines, HTTP/1.0). Most carry the plain gateway key, so that their bodies get past the key check.
 *
 * <p>Case {@code i} of seed {@code s} is always the same request, whatever else is generated, so one failing case
 * can be replayed on its own.
 */
final class FuzzedRequests {

    /**
     * One request. {@code raw} null: sent by an HTTP client as method, path, headers and body; else written as these
     * bytes on a socket, and {@code rawComplete} says whether they form a whole request the server must answer (the
     * server waits for the rest of a body that announced more than it sent).
     */
    record FuzzCase(
            int index,
            String what,
            String method,
            String path,
            List<String[]> headers,
            byte[] body,
            byte[] raw,
            boolean rawComplete) {

        String bodyText() {
            byte[] shown = raw != null ? raw : body;
            return shown == null ? "" : new String(shown, StandardCharsets.UTF_8);
        }
    }

    /** Chat bodies must stay below this many bytes to reach the parser (camel.server.max-body-size). */
    static final int MAX_BODY_BYTES = 131_072;

    /** Writes what it is given, however deep: nesting mutations can stack (three of 900 levels). */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamWriteConstraints(
                    StreamWriteConstraints.builder().maxNestingDepth(5_000).build())
            .build());

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final String OPENAI_CHAT = "/v1/chat/completions";
    private static final String OLLAMA_CHAT = "/api/chat";
    private static final List<String> PROVIDER_NAMES =
            List.of("groq", "gemini", "cohere", "ollama", "GROQ", "nope", "groq ", "", "groq,ollama", "../ollama");
    private static final List<String> STRATEGIES = List.of(
            "hybrid",
            "cloud_first",
            "local_first",
            "speed_first",
            "cost_first",
            "CLOUD_FIRST",
            "cheapest",
            "",
            " ",
            "hybrid;drop table");
    private static final List<String> MODELS = List.of(
            "llama-3.1-8b-instant",
            "llama-3.3-70b-versatile",
            "llama3.2",
            "gemini-2.0-flash",
            "command-r-08-2024",
            "groq/llama-3.1-8b-instant",
            "ollama/llama3.2",
            "gemini/../../x",
            "no-such-model",
            "",
            "a/b/c",
            "mödel-ünïcode",
            "model with spaces",
            "%2e%2e%2f");
    private static final List<String> ROLES =
            List.of("user", "system", "developer", "assistant", "tool", "admin", "USER", "", "function", "root");

    /** What each raw mutation does, for the failure summary. */
    private static final List<String> RAW_MUTATIONS = List.of(
            "header line without a colon",
            "space before a header's colon",
            "control character in a routing header",
            "folded header line",
            "Latin-1 bytes in a header",
            "chunked body",
            "bad chunk size",
            "no last chunk",
            "Content-Length short",
            "Content-Length long",
            "Content-Length no number",
            "no Host",
            "odd request line",
            "Content-Length and chunked",
            "150 headers",
            "Expect: 100-continue");

    private final long seed;
    private final String plainKey;
    private final String adminKey;

    FuzzedRequests(long seed, String plainKey, String adminKey) {
        this.seed = seed;
        this.plainKey = plainKey;
        this.adminKey = adminKey;
    }

    FuzzCase generate(int index) {
        Random rnd = new Random(seed * 1_000_003L + index);
        List<String> what = new ArrayList<>();
        boolean raw = rnd.nextInt(100) < 15;
        // half the raw requests carry their door's valid body: what is under test is how they are sent, and a valid
        // body goes on to a provider and back
        boolean mutateBody = !raw || rnd.nextBoolean();
        int target = rnd.nextInt(100);
        String method;
        String path;
        byte[] body = null;
        if (target < 36) {
            method = "POST";
            path = OPENAI_CHAT;
            body = chatBody(rnd, openAiSeed(rnd), mutateBody, what);
        } else if (target < 72) {
            method = "POST";
            path = OLLAMA_CHAT;
            body = chatBody(rnd, ollamaSeed(rnd), mutateBody, what);
        } else {
            String[] other = otherEndpoint(rnd, what);
            method = other[0];
            path = other[1];
            if (rnd.nextInt(5) == 0) {
                body = chatBody(rnd, rnd.nextBoolean() ? openAiSeed(rnd) : ollamaSeed(rnd), mutateBody, what);
            }
        }
        if (rnd.nextInt(8) == 0) {
            path = mutatePath(rnd, path, what);
        }
        if (rnd.nextInt(12) == 0) {
            method = pick(rnd, List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FUZZ"));
            what.add("method " + method);
        }
        List<String[]> headers = headers(rnd, method, what);
        if (raw) {
            return raw(rnd, index, method, path, headers, body, what);
        }
        return new FuzzCase(index, String.join(", ", what), method, path, headers, body, null, false);
    }

    // --- valid starting points ---

    private static ObjectNode openAiSeed(Random rnd) {
        ObjectNode body = NODES.objectNode();
        if (rnd.nextInt(4) > 0) {
            body.put("model", pick(rnd, List.of("llama-3.1-8b-instant", "llama-3.3-70b-versatile", "llama3.2")));
        }
        ArrayNode messages = body.putArray("messages");
        if (rnd.nextBoolean()) {
            messages.addObject().put("role", "system").put("content", "Be brief.");
        }
        ObjectNode user = messages.addObject().put("role", "user");
        if (rnd.nextInt(4) == 0) {
            user.putArray("content").addObject().put("type", "text").put("text", "Say hi");
        } else {
            user.put("content", "Say hi");
        }
        switch (rnd.nextInt(6)) {
            case 0 -> body.put("temperature", 0.7).put("top_p", 0.9);
            case 1 -> body.put("max_tokens", 16).putArray("stop").add("\n");
            case 2 -> {
                body.put("stream", true);
                body.putObject("stream_options").put("include_usage", true);
            }
            case 3 -> body.put("seed", 42).put("frequency_penalty", 0.5).put("presence_penalty", -0.5);
            case 4 -> body.put("max_completion_tokens", 32).put("n", 1);
            default -> {}
        }
        return body;
    }

    private static ObjectNode ollamaSeed(Random rnd) {
        ObjectNode body = NODES.objectNode();
        if (rnd.nextInt(4) > 0) {
            body.put("model", "llama3.2");
        }
        body.put("stream", rnd.nextInt(3) == 0);
        body.putArray("messages").addObject().put("role", "user").put("content", "Say hi");
        if (rnd.nextBoolean()) {
            ObjectNode options = body.putObject("options");
            options.put("temperature", 0.2).put("num_predict", 20).put("top_k", 40);
            if (rnd.nextBoolean()) {
                options.put("repeat_penalty", 1.1)
                        .put("seed", 7)
                        .putArray("stop")
                        .add("###");
            }
        }
        return body;
    }

    /** Another endpoint, with what it is normally called with. */
    private static String[] otherEndpoint(Random rnd, List<String> what) {
        return switch (rnd.nextInt(8)) {
            case 0 -> new String[] {"GET", "/v1/models"};
            case 1 -> new String[] {"GET", "/api/tags"};
            case 2 -> new String[] {"GET", "/api/health"};
            case 3 -> new String[] {"GET", "/metrics"};
            case 4 -> new String[] {"GET", routeQuery(rnd, what)};
            case 5 -> new String[] {"POST", "/api/providers/" + restoreName(rnd) + "/restore"};
            case 6 -> new String[] {pick(rnd, List.of("GET", "POST")), pick(rnd, List.of("/", "/v1", "/api", "/v2/x"))};
            default -> new String[] {"GET", "/api/route"};
        };
    }

    private static String restoreName(Random rnd) {
        return pick(
                rnd, List.of("groq", "ollama", "gemini", "cohere", "nope", "GROQ", "%2e%2e", "a".repeat(300), "x%00"));
    }

    private static String routeQuery(Random rnd, List<String> what) {
        List<String> params = new ArrayList<>();
        String[] names = {"strategy", "model", "key", "provider", "providers"};
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            String name = names[rnd.nextInt(names.length)];
            String value =
                    switch (name) {
                        case "strategy" -> pick(rnd, STRATEGIES);
                        case "model" -> pick(rnd, MODELS);
                        case "key" -> pick(rnd, List.of("plain", "ops", "nobody", "", "ops'--"));
                        default -> pick(rnd, PROVIDER_NAMES);
                    };
            String encoded =
                    switch (rnd.nextInt(6)) {
                        case 0 -> String.format("%%%02X", rnd.nextInt(32)); // a control character
                        case 1 -> "x".repeat(300); // over the 256-character limit of a routing value
                        case 2 -> "%E2%80%AE" + value; // a right-to-left override
                        default -> URLEncoder.encode(value, StandardCharsets.UTF_8);
                    };
            params.add(name + "=" + encoded);
        }
        if (rnd.nextInt(6) == 0) {
            params.add(params.isEmpty() ? "strategy=a" : params.get(0)); // a parameter twice
        }
        what.add("route query");
        return "/api/route" + (params.isEmpty() ? "" : "?" + String.join("&", params));
    }

    // --- bodies ---

    private static byte[] chatBody(Random rnd, ObjectNode seed, boolean mutate, List<String> what) {
        if (!mutate || rnd.nextInt(100) < 8) {
            what.add("valid body");
            return json(seed);
        }
        JsonNode body = seed;
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            body = mutateTree(rnd, body, what);
        }
        byte[] bytes = json(body);
        return rnd.nextInt(100) < 30 ? mutateText(rnd, bytes, what) : bytes; // some broken as text too
    }

    private static JsonNode mutateTree(Random rnd, JsonNode body, List<String> what) {
        switch (rnd.nextInt(13)) {
            case 0 -> {
                what.add("type swap");
                return replaceAt(rnd, body, anyValue(rnd, 2));
            }
            case 1 -> {
                what.add("extreme number");
                return replaceAt(rnd, body, extremeNumber(rnd));
            }
            case 2 -> {
                what.add("odd string");
                return replaceAt(rnd, body, NODES.textNode(oddString(rnd)));
            }
            case 3 -> {
                int depth = pick(rnd, List.of(31, 32, 33, 40, 200, 900));
                what.add("nested " + depth);
                return replaceAt(rnd, body, nested(rnd, depth));
            }
            case 4 -> {
                if (body instanceof ObjectNode o) {
                    int count = pick(rnd, List.of(2047, 2048, 2049, 3000));
                    what.add(count + " messages");
                    ArrayNode messages = o.putArray("messages");
                    for (int i = 0; i < count; i++) {
                        messages.addObject().put("role", "user").put("content", "");
                    }
                }
                return body;
            }
            case 5 -> {
                if (body instanceof ObjectNode o) {
                    int count = pick(rnd, List.of(255, 256, 257, 1000));
                    boolean images = rnd.nextBoolean();
                    what.add(count + (images ? " images" : " parts"));
                    ObjectNode message = o.putArray("messages").addObject().put("role", "user");
                    ArrayNode parts = message.putArray(images ? "images" : "content");
                    for (int i = 0; i < count; i++) {
                        if (images) {
                            parts.add("aGk=");
                        } else {
                            parts.addObject().put("type", "text").put("text", "a");
                        }
                    }
                }
                return body;
            }
            case 6 -> {
                if (body instanceof ObjectNode o) {
                    boolean many = rnd.nextInt(4) == 0;
                    what.add(many ? "50001 values" : "unknown field");
                    if (many) {
                        ArrayNode values = o.putArray("padding");
                        for (int i = 0; i < 50_001; i++) {
                            values.add(0);
                        }
                    } else {
                        o.set(
                                pick(rnd, List.of("__proto__", "constructor", "x", "", "messages ", "MODEL", "\u0000")),
                                anyValue(rnd, 2));
                    }
                }
                return body;
            }
            case 7 -> {
                JsonNode messages = body.path("messages");
                if (messages.isArray() && !messages.isEmpty() && messages.get(0) instanceof ObjectNode m) {
                    what.add("role");
                    if (rnd.nextInt(4) == 0) {
                        m.set("role", anyValue(rnd, 1));
                    } else {
                        m.put("role", pick(rnd, ROLES));
                    }
                }
                return body;
            }
            case 8 -> {
                what.add("field removed");
                return removeAt(rnd, body);
            }
            case 9 -> {
                if (body instanceof ObjectNode o) {
                    what.add("routing fields");
                    switch (rnd.nextInt(4)) {
                        case 0 -> o.put("strategy", pick(rnd, STRATEGIES));
                        case 1 -> o.put("provider", pick(rnd, PROVIDER_NAMES));
                        case 2 -> {
                            ArrayNode providers = o.putArray("providers");
                            for (int i = rnd.nextInt(4); i > 0; i--) {
                                providers.add(pick(rnd, PROVIDER_NAMES));
                            }
                        }
                        default -> o.put("provider", "groq")
                                .putArray("providers")
                                .add("ollama");
                    }
                }
                return body;
            }
            case 10 -> {
                if (body instanceof ObjectNode o) {
                    what.add("door options");
                    switch (rnd.nextInt(7)) {
                        case 0 -> o.put("n", pick(rnd, List.of(0, 2, -1)));
                        case 1 -> o.putArray("tools").addObject().put("type", "function");
                        case 2 -> o.putObject("response_format").put("type", pick(rnd, List.of("json_object", "text")));
                        case 3 -> o.put("format", "json");
                        case 4 -> o.put("stream", pick(rnd, List.of("yes", "true", "1")));
                        case 5 -> o.putObject("options")
                                .set(pick(rnd, List.of("num_predict", "top_k", "seed", "stop")), anyValue(rnd, 1));
                        default -> o.put("stream", true);
                    }
                }
                return body;
            }
            case 11 -> {
                if (body instanceof ObjectNode o) {
                    what.add("max tokens");
                    o.set(
                            pick(rnd, List.of("max_tokens", "max_completion_tokens")),
                            pick(
                                    rnd,
                                    List.of(
                                            NODES.numberNode(0),
                                            NODES.numberNode(-1),
                                            NODES.numberNode(Integer.MAX_VALUE),
                                            NODES.numberNode(2_147_483_648L),
                                            NODES.numberNode(1.5),
                                            NODES.textNode("100"))));
                }
                return body;
            }
            default -> {
                if (body instanceof ObjectNode o) {
                    what.add("model");
                    o.put("model", pick(rnd, MODELS));
                }
                return body;
            }
        }
    }

    /**
     * Where a value sits: its container and its field name or index. A place, not the node itself: Jackson shares
     * small numbers, booleans and null between trees, so one node may sit in thousands of places.
     */
    private record Slot(JsonNode parent, String field, int index) {}

    /** {@code value} in place of a node chosen at random (the body itself included). */
    private static JsonNode replaceAt(Random rnd, JsonNode body, JsonNode value) {
        List<Slot> slots = new ArrayList<>();
        collect(body, slots);
        int choice = rnd.nextInt(slots.size() + 1);
        if (choice == slots.size()) {
            return value;
        }
        Slot slot = slots.get(choice);
        if (slot.parent() instanceof ObjectNode o) {
            o.set(slot.field(), value);
        } else {
            ((ArrayNode) slot.parent()).set(slot.index(), value);
        }
        return body;
    }

    private static JsonNode removeAt(Random rnd, JsonNode body) {
        List<Slot> slots = new ArrayList<>();
        collect(body, slots);
        if (slots.isEmpty()) {
            return body;
        }
        Slot slot = slots.get(rnd.nextInt(slots.size()));
        if (slot.parent() instanceof ObjectNode o) {
            o.remove(slot.field());
        } else {
            ((ArrayNode) slot.parent()).remove(slot.index());
        }
        return body;
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node instanceof ObjectNode o) {
            o.properties().forEach(field -> {
                slots.add(new Slot(o, field.getKey(), -1));
                collect(field.getValue(), slots);
            });
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                slots.add(new Slot(a, null, i));
                collect(a.get(i), slots);
            }
        }
    }

    /** A value of any JSON type; containers hold values down to {@code depth}. */
    private static JsonNode anyValue(Random rnd, int depth) {
        switch (rnd.nextInt(depth > 0 ? 8 : 6)) {
            case 0 -> {
                return NODES.textNode(rnd.nextBoolean() ? "text" : oddString(rnd));
            }
            case 1 -> {
                return NODES.numberNode(rnd.nextInt(2001) - 1000);
            }
            case 2 -> {
                return extremeNumber(rnd);
            }
            case 3 -> {
                return NODES.booleanNode(rnd.nextBoolean());
            }
            case 4 -> {
                return NODES.nullNode();
            }
            case 5 -> {
                return NODES.numberNode(rnd.nextDouble() * 4 - 2);
            }
            case 6 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    a.add(anyValue(rnd, depth - 1));
                }
                return a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    o.set(
                            pick(rnd, List.of("role", "content", "type", "text", "model", "k" + i)),
                            anyValue(rnd, depth - 1));
                }
                return o;
            }
        }
    }

    private static JsonNode extremeNumber(Random rnd) {
        return switch (rnd.nextInt(10)) {
            case 0 -> NODES.numberNode(new BigInteger("9".repeat(1 + rnd.nextInt(900))));
            case 1 -> NODES.numberNode(new BigDecimal("1e400"));
            case 2 -> NODES.numberNode(new BigDecimal("-1e-400"));
            case 3 -> NODES.numberNode(Long.MIN_VALUE);
            case 4 -> NODES.numberNode(-0.0);
            case 5 -> NODES.numberNode(Double.MAX_VALUE);
            case 6 -> NODES.numberNode(2_147_483_648L);
            case 7 -> NODES.numberNode(-2_147_483_649L);
            case 8 -> NODES.numberNode(new BigDecimal("0." + "0".repeat(500) + "1"));
            default -> NODES.numberNode(-1);
        };
    }

    /** Long, unicode, control characters, lone surrogates, markup. */
    static String oddString(Random rnd) {
        return switch (rnd.nextInt(10)) {
            case 0 -> "x".repeat(pick(rnd, List.of(1_000, 20_000, 140_000))); // the last is over the body limit
            case 1 -> "\u0000\u0001\u001f\u007f\t\r\n";
            case 2 -> "\ud83d\ude00 emoji \u202e rtl \ufeff bom \u200b";
            case 3 -> "\ud800"; // a lone surrogate
            case 4 -> "<script>alert(1)</script>";
            case 5 -> "${jndi:ldap://x}";
            case 6 -> "%s%n%x{{x}}";
            case 7 -> "\\u0000";
            case 8 -> "中文 العربية עברית";
            default -> "";
        };
    }

    private static JsonNode nested(Random rnd, int depth) {
        JsonNode node = NODES.textNode("bottom");
        boolean arrays = rnd.nextBoolean();
        for (int i = 0; i < depth; i++) {
            if (arrays) {
                node = NODES.arrayNode().add(node);
            } else {
                ObjectNode o = NODES.objectNode();
                o.set("content", node);
                node = o;
            }
        }
        return node;
    }

    private static byte[] json(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body's bytes broken: flipped, cut, repeated, invalid UTF-8, or replaced by something else entirely. */
    private static byte[] mutateText(Random rnd, byte[] bytes, List<String> what) {
        int n = bytes.length;
        switch (rnd.nextInt(10)) {
            case 0 -> {
                what.add("bytes flipped");
                byte[] out = bytes.clone();
                for (int i = 1 + rnd.nextInt(4); i > 0 && n > 0; i--) {
                    out[rnd.nextInt(n)] = (byte) rnd.nextInt(256);
                }
                return out;
            }
            case 1 -> {
                what.add("truncated");
                return Arrays.copyOf(bytes, n == 0 ? 0 : rnd.nextInt(n));
            }
            case 2 -> {
                what.add("slice repeated");
                int from = n == 0 ? 0 : rnd.nextInt(n);
                int to = from + rnd.nextInt(n - from + 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, to);
                out.write(bytes, from, to - from);
                out.write(bytes, to, n - to);
                return out.toByteArray();
            }
            case 3 -> {
                what.add("slice deleted");
                int from = n == 0 ? 0 : rnd.nextInt(n);
                int to = from + rnd.nextInt(n - from + 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, from);
                out.write(bytes, to, n - to);
                return out.toByteArray();
            }
            case 4 -> {
                what.add("invalid UTF-8");
                byte[] bad = pick(
                        rnd,
                        List.of(
                                new byte[] {(byte) 0xC3, 0x28},
                                new byte[] {(byte) 0xFF},
                                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                                new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                                new byte[] {(byte) 0xC0, (byte) 0xAF}));
                int at = n == 0 ? 0 : rnd.nextInt(n);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, at);
                out.write(bad, 0, bad.length);
                out.write(bytes, at, n - at);
                return out.toByteArray();
            }
            case 5 -> {
                what.add("byte order mark");
                byte[] out = new byte[n + 3];
                out[0] = (byte) 0xEF;
                out[1] = (byte) 0xBB;
                out[2] = (byte) 0xBF;
                System.arraycopy(bytes, 0, out, 3, n);
                return out;
            }
            case 6 -> {
                what.add("trailing data");
                return concat(bytes, pick(rnd, List.of("{}", ",", " garbage", "\u0000", "]]]]")));
            }
            case 7 -> {
                what.add("deep text nesting");
                int depth = pick(rnd, List.of(33, 1_000, 50_000));
                return ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
            }
            case 8 -> {
                what.add("tokens inserted");
                int at = n == 0 ? 0 : rnd.nextInt(n);
                String token =
                        pick(rnd, List.of("{", "}", "[", "]", ":", ",", "\"", "\\", "NaN", "Infinity", "'", "//"));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, at);
                out.writeBytes(token.getBytes(StandardCharsets.US_ASCII));
                out.write(bytes, at, n - at);
                return out.toByteArray();
            }
            default -> {
                what.add("replaced body");
                return pick(
                                rnd,
                                List.of(
                                        "",
                                        " \n\t ",
                                        "null",
                                        "[]",
                                        "\"text\"",
                                        "123",
                                        "{",
                                        "{\"messages\":",
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}",
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"a\\u0000b\"}]}",
                                        "{\"messages\":[],\"messages\":[{\"role\":\"user\",\"content\":\"dup\"}]}",
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":NaN}",
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1e999999}",
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"seed\":"
                                                + "9".repeat(2000) + "}"))
                        .getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    // --- headers ---

    private List<String[]> headers(Random rnd, String method, List<String> what) {
        List<String[]> headers = new ArrayList<>();
        int auth = rnd.nextInt(100);
        if (auth < 70) {
            headers.add(new String[] {"Authorization", "Bearer " + plainKey});
        } else if (auth < 80) {
            headers.add(new String[] {"Authorization", "Bearer " + adminKey});
        } else {
            what.add("key variant");
            switch (rnd.nextInt(12)) {
                case 0 -> {} // none
                case 1 -> headers.add(new String[] {"Authorization", "Bearer"});
                case 2 -> headers.add(new String[] {"Authorization", "Bearer    "});
                case 3 -> headers.add(new String[] {"Authorization", "bEaReR " + plainKey});
                case 4 -> headers.add(new String[] {"Authorization", "Basic dXNlcjpwYXNz"});
                case 5 -> headers.add(new String[] {"Authorization", "Bearer " + plainKey + " extra"});
                case 6 -> headers.add(new String[] {"Authorization", "Bearer " + changedOneChar(rnd, plainKey)});
                case 7 -> headers.add(
                        new String[] {"Authorization", "Bearer " + "k".repeat(pick(rnd, List.of(300, 5000)))});
                case 8 -> {
                    headers.add(new String[] {"Authorization", "Bearer " + plainKey});
                    headers.add(new String[] {"Authorization", "Bearer ck_garbage"});
                }
                case 9 -> headers.add(new String[] {"x-api-key", rnd.nextBoolean() ? plainKey : "ck_garbage"});
                case 10 -> {
                    headers.add(new String[] {"Authorization", "Bearer ck_garbage"});
                    headers.add(new String[] {"x-api-key", plainKey});
                }
                default -> headers.add(new String[] {"Authorization", "Bearer \u00e9\u00ff" + plainKey.substring(4)});
            }
        }
        if (!method.equals("GET") && !method.equals("HEAD") || rnd.nextInt(10) == 0) {
            if (rnd.nextInt(100) < 82) {
                headers.add(new String[] {"Content-Type", "application/json"});
            } else {
                what.add("content type");
                String type = pick(
                        rnd,
                        List.of(
                                "application/json; charset=utf-8",
                                "application/json;charset=iso-8859-1",
                                "application/vnd.cortex+json",
                                "APPLICATION/JSON",
                                " application/json ; x=y",
                                "text/plain",
                                "application/x-www-form-urlencoded",
                                "multipart/form-data; boundary=x",
                                "application/",
                                "json",
                                "",
                                "none"));
                if (!type.equals("none")) {
                    headers.add(new String[] {"Content-Type", type});
                }
                if (rnd.nextInt(5) == 0) {
                    headers.add(new String[] {"Content-Type", "text/plain"}); // sent twice
                }
            }
        }
        if (rnd.nextInt(5) == 0) {
            what.add("routing headers");
            for (int i = 1 + rnd.nextInt(2); i > 0; i--) {
                switch (rnd.nextInt(4)) {
                    case 0 -> headers.add(new String[] {
                        "X-Cortex-Explain",
                        pick(rnd, List.of("true", "1", "FALSE", "yes", "", "\u00ff", "t".repeat(300)))
                    });
                    case 1 -> headers.add(new String[] {"X-Cortex-Strategy", pick(rnd, STRATEGIES)});
                    case 2 -> headers.add(new String[] {"X-Cortex-Provider", pick(rnd, PROVIDER_NAMES)});
                    default -> headers.add(new String[] {
                        "X-Cortex-Providers", rnd.nextBoolean() ? pick(rnd, PROVIDER_NAMES) : "groq,".repeat(100)
                    });
                }
            }
        }
        if (rnd.nextInt(25) == 0) {
            what.add("origin");
            headers.add(
                    new String[] {"Origin", pick(rnd, List.of("https://evil.example", "null", "", "http://127.0.0.1"))
                    });
        }
        if (rnd.nextInt(10) == 0) {
            what.add("extra header");
            headers.add(
                    switch (rnd.nextInt(5)) {
                        case 0 -> new String[] {
                            "Accept", pick(rnd, List.of("text/event-stream", "*/*", "application/xml", ""))
                        };
                        case 1 -> new String[] {"X-Forwarded-For", "127.0.0.1, 10.0.0.1"};
                        case 2 -> new String[] {"X-Padding", "p".repeat(pick(rnd, List.of(4_000, 20_000)))};
                        case 3 -> new String[] {"Accept-Encoding", "gzip, deflate, br"};
                        default -> new String[] {"X-Sim-Fault", "server-error"
                        }; // meant for a simulator, never forwarded
                    });
        }
        return headers;
    }

    private static String changedOneChar(Random rnd, String key) {
        char[] chars = key.toCharArray();
        int at = 3 + rnd.nextInt(chars.length - 3);
        chars[at] = chars[at] == 'a' ? 'b' : 'a';
        return new String(chars);
    }

    // --- paths ---

    private static String mutatePath(Random rnd, String path, List<String> what) {
        what.add("path");
        return switch (rnd.nextInt(12)) {
            case 0 -> path + "/";
            case 1 -> path + "/" + "x".repeat(rnd.nextInt(20));
            case 2 -> path + ".json";
            case 3 -> path + "?" + pick(rnd, List.of("a=b", "stream=true", "key=ops", "=", "&&", "%ZZ", "a=%00"));
            case 4 -> path.toUpperCase();
            case 5 -> path.replace("/c", "/%63").replace("/m", "/%6d");
            case 6 -> path.replaceFirst("/", "//");
            case 7 -> path + "/../../metrics";
            case 8 -> "/" + "a".repeat(pick(rnd, List.of(2_000, 5_000, 10_000)));
            case 9 -> path.replace("/", "%2F");
            case 10 -> path + "%00";
            default -> path + "%ZZ";
        };
    }

    // --- raw socket requests ---

    private FuzzCase raw(
            Random rnd, int index, String method, String path, List<String[]> headers, byte[] body, List<String> what) {
        byte[] content = body == null ? new byte[0] : body;
        List<String> lines = new ArrayList<>();
        String requestLine = method + " " + path + " HTTP/1.1";
        boolean host = true;
        boolean complete = true;
        String framing = "length"; // how the body is framed: length, chunked, or as the mutation wrote it
        for (String[] h : headers) {
            lines.add(h[0] + ": " + h[1]);
        }
        // a sixth are whole HTTP/1.0 requests: no chunks there, so a streamed answer can end only with the connection
        int mutation = rnd.nextInt(6) == 0 ? -1 : rnd.nextInt(RAW_MUTATIONS.size());
        switch (mutation) {
            case -1 -> requestLine = method + " " + path + " HTTP/1.0";
            case 0 -> lines.add("Broken header line without a colon");
            case 1 -> lines.add("Authorization : Bearer " + plainKey);
            case 2 -> lines.add(pick(rnd, List.of("X-Cortex-Strategy", "X-Cortex-Provider", "X-Cortex-Explain"))
                    + ": hy\u0001brid\u007f");
            case 3 -> lines.add(" folded continuation");
            case 4 -> lines.add("X-Cortex-Providers: groq,\u00e9\u00ff");
            case 5 -> framing = "chunked";
            case 6 -> {
                framing = "bad chunk size";
                complete = false; // a size it can read may announce more than follows
            }
            case 7 -> {
                framing = "missing last chunk";
                complete = false;
            }
            case 8 -> framing = "length short"; // the rest reads as a second, garbage request
            case 9 -> {
                framing = "length long";
                complete = false;
            }
            case 10 -> framing = pick(
                    rnd,
                    List.of(
                            "Content-Length: -1",
                            "Content-Length: abc",
                            "Content-Length: 1, 2",
                            "Content-Length: 99999999999999999999"));
            case 11 -> host = false;
            case 12 -> requestLine = pick(
                    rnd,
                    List.of(
                            method + " " + path + " HTTP/1.0",
                            method + " " + path + " HTTP/1.2",
                            method + " " + path + " HTTP/2.0",
                            method.toLowerCase() + " " + path + " HTTP/1.1",
                            method + " http://127.0.0.1" + path + " HTTP/1.1",
                            "OPTIONS * HTTP/1.1",
                            method + "  " + path + "  HTTP/1.1",
                            method + " " + path,
                            method + " /v1/chat completions HTTP/1.1",
                            method + " /api/ch\u00e4t HTTP/1.1",
                            method + " /v1/\u0000 HTTP/1.1"));
            case 13 -> {
                framing = "both";
                lines.add("Transfer-Encoding: chunked"); // with a Content-Length too: request smuggling's shape
            }
            case 14 -> {
                for (int i = 0; i < 150; i++) {
                    lines.add("X-Many-" + i + ": " + i);
                }
            }
            default -> lines.add("Expect: 100-continue");
        }
        what.add("raw: " + (mutation < 0 ? "HTTP/1.0" : RAW_MUTATIONS.get(mutation)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean bareLf = rnd.nextInt(10) == 0;
        String eol = bareLf ? "\n" : "\r\n";
        StringBuilder head = new StringBuilder(requestLine).append(eol);
        if (host) {
            head.append("Host: 127.0.0.1").append(eol);
        }
        head.append("Connection: close").append(eol); // so a whole answer ends with the connection
        for (String line : lines) {
            head.append(line).append(eol);
        }
        byte[] payload;
        switch (framing) {
            case "chunked", "bad chunk size", "missing last chunk", "both" -> {
                if (framing.equals("both")) {
                    head.append("Content-Length: ").append(content.length).append(eol);
                } else {
                    head.append("Transfer-Encoding: chunked").append(eol);
                }
                String size = framing.equals("bad chunk size")
                        ? pick(rnd, List.of("zz", "-5", "ffffffffffffffff", "5;ext=\u0001"))
                        : Integer.toHexString(content.length);
                ByteArrayOutputStream chunked = new ByteArrayOutputStream();
                chunked.writeBytes((size + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                chunked.writeBytes(content);
                chunked.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                if (!framing.equals("missing last chunk")) {
                    chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                payload = chunked.toByteArray();
            }
            case "length short" -> {
                head.append("Content-Length: ").append(content.length / 2).append(eol);
                payload = content;
            }
            case "length long" -> {
                head.append("Content-Length: ")
                        .append(content.length + 1 + rnd.nextInt(100))
                        .append(eol);
                payload = content;
            }
            case "length" -> {
                head.append("Content-Length: ").append(content.length).append(eol);
                payload = content;
            }
            default -> {
                head.append(framing).append(eol); // a Content-Length that is no length
                payload = content;
            }
        }
        head.append(eol);
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(payload);
        if (rnd.nextInt(30) == 0) {
            what.add("raw: binary garbage");
            byte[] garbage = new byte[1 + rnd.nextInt(2000)];
            rnd.nextBytes(garbage);
            return new FuzzCase(index, String.join(", ", what), method, path, headers, body, garbage, false);
        }
        return new FuzzCase(index, String.join(", ", what), method, path, headers, body, out.toByteArray(), complete);
    }

    private static byte[] concat(byte[] a, String b) {
        byte[] tail = b.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(a, a.length + tail.length);
        System.arraycopy(tail, 0, out, a.length, tail.length);
        return out;
    }

    private static <T> T pick(Random rnd, List<T> choices) {
        return choices.get(rnd.nextInt(choices.size()));
    }
}
