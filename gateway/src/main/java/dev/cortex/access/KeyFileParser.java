package dev.cortex.access;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.Strategy;
import dev.cortex.limits.KeyLimits;

/**
 * Reads the text of a key file into keys, refusing anything it does not understand. It works on YAML nodes rather than
 * on loaded maps so that a hash made only of digits stays text (a loaded map would turn it into a number and drop its
 * leading zeros), and so that every message can give a line. Messages never quote a hash or a key: an operator who
 * pasted a key where its hash belongs must not find it in a log.
 */
final class KeyFileParser {

    static final String NAME = "name";
    static final String SHA256 = "sha256";
    static final String CREATED = "created";
    static final String ADMIN = "admin";
    static final String PROVIDERS = "providers";
    static final String MODELS = "models";
    static final String MAX_TOKENS = "max-tokens";
    static final String STRATEGY = "strategy";
    static final String LOCAL_ONLY = "local-only";
    static final String REVOKED = "revoked";
    static final String REQUESTS_PER_MINUTE = "requests-per-minute";
    static final String TOKENS_PER_MINUTE = "tokens-per-minute";
    static final String BUDGET_PER_DAY = "budget-per-day";
    static final String BUDGET_PER_MONTH = "budget-per-month";

    static final List<String> FIELDS = List.of(
            NAME,
            SHA256,
            CREATED,
            ADMIN,
            PROVIDERS,
            MODELS,
            MAX_TOKENS,
            STRATEGY,
            LOCAL_ONLY,
            REQUESTS_PER_MINUTE,
            TOKENS_PER_MINUTE,
            BUDGET_PER_DAY,
            BUDGET_PER_MONTH,
            REVOKED);

    private final String source;

    /** @param source how messages name the file (its path) */
    KeyFileParser(String source) {
        this.source = source;
    }

    /** How messages name an entry: by its position, counted from 1, and its name when it has a usable one. */
    static String entryLabel(int position, String name) {
        return "entry " + position + (GatewayKey.isValidName(name) ? " (" + name + ")" : "");
    }

    List<GatewayKey> parse(String text) {
        Optional<Node> root = compose(text);
        if (root.isEmpty() || isNull(root.get())) {
            return List.of(); // an empty file, or one of comments only: no keys
        }
        if (!(root.get() instanceof MappingNode top)) {
            throw fail(root.get(), "the file must be a mapping with one field, 'keys' (a list of entries)");
        }
        Node keys = null;
        for (NodeTuple field : top.getValue()) {
            String fieldName = fieldName(field, "");
            if (!fieldName.equals("keys")) {
                throw fail(field.getKeyNode(), "unknown top-level field '" + fieldName + "'; the file has one, 'keys'");
            }
            if (keys != null) {
                throw fail(field.getKeyNode(), "field 'keys' is given twice");
            }
            keys = field.getValueNode();
        }
        if (keys == null || isNull(keys)) {
            return List.of();
        }
        if (!(keys instanceof SequenceNode entries)) {
            throw fail(keys, "field 'keys' must be a list of entries ('- name: ...')");
        }
        List<GatewayKey> read = new ArrayList<>();
        Map<String, Integer> positionByName = new HashMap<>();
        Map<KeyHash, String> labelByHash = new HashMap<>();
        for (Node entry : entries.getValue()) {
            int position = read.size() + 1;
            GatewayKey key = entry(position, entry);
            Integer earlier = positionByName.putIfAbsent(key.name(), position);
            if (earlier != null) {
                throw fail(
                        entry,
                        entryLabel(position, key.name()) + ": name '" + key.name() + "' is already taken by entry "
                                + earlier);
            }
            String sameHash = labelByHash.putIfAbsent(key.sha256(), entryLabel(position, key.name()));
            if (sameHash != null) {
                // one key under two names would leave its policy to chance
                throw fail(entry, entryLabel(position, key.name()) + ": its sha256 is the same as " + sameHash + "'s");
            }
            read.add(key);
        }
        return List.copyOf(read);
    }

    private Optional<Node> compose(String text) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setSchema(new CoreSchema())
                .build();
        try {
            return new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            // the problem and its place, not the exception's snippet of the file: that could show a hash
            String where = e.getProblemMark()
                    .map(m -> ", line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    .orElse("");
            throw new InvalidKeyFileException(source + where + ": not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new InvalidKeyFileException(source + ": not valid YAML: " + e.getMessage());
        }
    }

    private GatewayKey entry(int position, Node node) {
        if (!(node instanceof MappingNode mapping)) {
            throw fail(node, entryLabel(position, null) + ": an entry must be a mapping of fields (name, sha256, ...)");
        }
        Map<String, Node> fields = new LinkedHashMap<>();
        Map<String, Node> keyNodes = new LinkedHashMap<>();
        Node givenTwice = null;
        for (NodeTuple field : mapping.getValue()) {
            String fieldName = fieldName(field, entryLabel(position, null) + ": ");
            if (fields.containsKey(fieldName) && givenTwice == null) {
                givenTwice = field.getKeyNode();
            }
            fields.putIfAbsent(fieldName, field.getValueNode());
            keyNodes.putIfAbsent(fieldName, field.getKeyNode());
        }
        // the label carries the name as soon as there is a usable one, even when another field is wrong
        String label = entryLabel(position, fields.get(NAME) instanceof ScalarNode n ? n.getValue() : null);
        if (givenTwice != null) {
            throw fail(givenTwice, label + ": field '" + ((ScalarNode) givenTwice).getValue() + "' is given twice");
        }
        keyNodes.forEach((fieldName, keyNode) -> {
            if (!FIELDS.contains(fieldName)) {
                throw fail(
                        keyNode,
                        label + ": unknown field '" + fieldName + "'; an entry has " + String.join(", ", FIELDS));
            }
        });
        String name = name(label, mapping, fields.get(NAME));
        EntryReader reader = new EntryReader(label, mapping, fields);
        AccessPolicy policy = new AccessPolicy(
                name,
                new LinkedHashSet<>(reader.texts(PROVIDERS)),
                reader.texts(MODELS),
                reader.positiveInt(MAX_TOKENS),
                reader.strategy(),
                reader.flag(LOCAL_ONLY),
                new KeyLimits(
                        reader.perMinute(REQUESTS_PER_MINUTE),
                        reader.perMinute(TOKENS_PER_MINUTE),
                        reader.money(BUDGET_PER_DAY),
                        reader.money(BUDGET_PER_MONTH)));
        return new GatewayKey(
                name, reader.sha256(), reader.created(), reader.flag(ADMIN), reader.flag(REVOKED), policy);
    }

    private String name(String label, MappingNode entry, Node node) {
        if (node == null) {
            throw fail(entry, label + ": field 'name' is missing");
        }
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            throw fail(node, label + ": field 'name' must be a name such as team-a");
        }
        String name = scalar.getValue();
        if (!GatewayKey.isValidName(name)) {
            throw fail(
                    node,
                    label + ": field 'name' must be 1 to 64 letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        if (name.equals(GatewayKey.MASTER_NAME)) {
            throw fail(
                    node,
                    label + ": the name '" + GatewayKey.MASTER_NAME
                            + "' is kept for the key CORTEX_MASTER_KEY makes; choose another");
        }
        return name;
    }

    private String fieldName(NodeTuple field, String label) {
        if (!(field.getKeyNode() instanceof ScalarNode scalar) || isNull(scalar)) {
            throw fail(field.getKeyNode(), label + "a field name must be plain text");
        }
        return scalar.getValue();
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    private InvalidKeyFileException fail(Node at, String problem) {
        String line = at.getStartMark()
                .map(Mark::getLine)
                .map(l -> ", line " + (l + 1))
                .orElse("");
        return new InvalidKeyFileException(source + line + ": " + problem);
    }

    /** The fields of one entry, read with messages that name the entry and the field. */
    private final class EntryReader {

        private final String label;
        private final MappingNode entry;
        private final Map<String, Node> fields;

        EntryReader(String label, MappingNode entry, Map<String, Node> fields) {
            this.label = label;
            this.entry = entry;
            this.fields = fields;
        }

        KeyHash sha256() {
            Node node = fields.get(SHA256);
            if (node == null) {
                throw fail(
                        entry, label + ": field 'sha256' is missing (scripts/cortex-key.sh hash prints it for a key)");
            }
            // any scalar's text: a hash of digits only is resolved as a number, and is still a hash
            if (!(node instanceof ScalarNode scalar) || isNull(node)) {
                throw fail(node, label + ": field 'sha256' must be 64 hex digits");
            }
            String hex = scalar.getValue();
            if (!KeyHash.isHex(hex)) {
                String hint = hex.startsWith("ck_")
                        ? "; this looks like a key itself: never store a key, store its hash"
                                + " (scripts/cortex-key.sh hash)"
                        : "";
                throw fail(
                        node,
                        label + ": field 'sha256' must be 64 hex digits (the SHA-256 of the key), got " + hex.length()
                                + " characters" + hint);
            }
            return KeyHash.fromHex(hex);
        }

        Instant created() {
            String text = text(CREATED);
            if (text == null) {
                return null;
            }
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw fail(
                        fields.get(CREATED),
                        label + ": field 'created' must be a time such as " + "2026-12-03T09:30:00Z, got '" + text
                                + "'");
            }
        }

        boolean flag(String field) {
            Node node = fields.get(field);
            if (node == null) {
                return false;
            }
            if (!(node instanceof ScalarNode scalar) || !node.getTag().equals(Tag.BOOL)) {
                throw fail(node, label + ": field '" + field + "' must be true or false");
            }
            return scalar.getValue().equalsIgnoreCase("true");
        }

        Integer positiveInt(String field) {
            Node node = fields.get(field);
            if (node == null || isNull(node)) {
                return null;
            }
            String problem = label + ": field '" + field + "' must be a positive whole number";
            if (!(node instanceof ScalarNode scalar) || !node.getTag().equals(Tag.INT)) {
                throw fail(node, problem);
            }
            BigInteger value;
            try {
                value = new BigInteger(scalar.getValue());
            } catch (NumberFormatException e) {
                throw fail(node, problem + " in decimal, got '" + scalar.getValue() + "'");
            }
            if (value.signum() <= 0) {
                throw fail(node, problem + ", got " + value);
            }
            if (value.bitLength() >= Integer.SIZE) {
                throw fail(node, problem + " of at most " + Integer.MAX_VALUE + ", got " + value);
            }
            return value.intValue();
        }

        /** A per-minute limit: a positive whole number; absent is {@link KeyLimits#NONE}. */
        long perMinute(String field) {
            Integer value = positiveInt(field);
            return value == null ? KeyLimits.NONE : value;
        }

        /** Dollars, such as 5 or 2.50, at most to the micro-dollar; absent is {@link KeyLimits#NONE}. */
        long money(String field) {
            Node node = fields.get(field);
            if (node == null || isNull(node)) {
                return KeyLimits.NONE;
            }
            String problem = label + ": field '" + field + "' must be an amount of US dollars such as 5 or 2.50";
            if (!(node instanceof ScalarNode scalar)
                    || !(node.getTag().equals(Tag.INT) || node.getTag().equals(Tag.FLOAT))) {
                throw fail(node, problem);
            }
            try {
                return KeyLimits.micros(new BigDecimal(scalar.getValue()));
            } catch (NumberFormatException | ArithmeticException e) {
                throw fail(node, problem + " (at most 6 decimals), got '" + scalar.getValue() + "'");
            } catch (IllegalArgumentException e) {
                throw fail(node, problem + ", got '" + scalar.getValue() + "'");
            }
        }

        Strategy strategy() {
            String text = text(STRATEGY);
            if (text == null) {
                return null;
            }
            try {
                return Strategy.parse(text);
            } catch (IllegalArgumentException e) {
                throw fail(fields.get(STRATEGY), label + ": field 'strategy': " + e.getMessage());
            }
        }

        /** A list of non-blank texts; absent, empty or null is the empty list. */
        List<String> texts(String field) {
            Node node = fields.get(field);
            if (node == null || isNull(node)) {
                return List.of();
            }
            if (!(node instanceof SequenceNode list)) {
                throw fail(node, label + ": field '" + field + "' must be a list such as [a, b]");
            }
            List<String> texts = new ArrayList<>();
            for (Node item : list.getValue()) {
                if (!(item instanceof ScalarNode scalar)
                        || isNull(item)
                        || scalar.getValue().isBlank()) {
                    throw fail(item, label + ": field '" + field + "' may hold only non-empty names");
                }
                texts.add(scalar.getValue().trim());
            }
            return texts;
        }

        /** A scalar's text whatever YAML would resolve it to (a model called 1.5 is still a name); null if absent. */
        private String text(String field) {
            Node node = fields.get(field);
            if (node == null || isNull(node)) {
                return null;
            }
            if (!(node instanceof ScalarNode scalar) || scalar.getValue().isBlank()) {
                throw fail(node, label + ": field '" + field + "' must be a single value");
            }
            return scalar.getValue().trim();
        }
    }
}
