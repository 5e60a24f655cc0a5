package dev.cortex.api;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.cortex.chat.Json;
import dev.cortex.failure.BadRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A body's structure is bounded while it is parsed: each limit refuses at the first value past it, naming the field. */
class BoundedJsonReaderTest {

    private static final int FOUR_MIB = 4 * 1024 * 1024;

    private static final BoundedJsonReader DEFAULTS = new BoundedJsonReader(new JsonLimits(2048, 256, 32, 50_000));

    private static BadRequestException refusal(BoundedJsonReader reader, String body) {
        return refusal(reader, body.getBytes(StandardCharsets.UTF_8));
    }

    private static BadRequestException refusal(BoundedJsonReader reader, byte[] body) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> reader.read(body));
        assertThat(thrown).isInstanceOf(BadRequestException.class);
        BadRequestException bad = (BadRequestException) thrown;
        assertThat(bad.status()).isEqualTo(400);
        return bad;
    }

    private static byte[] repeated(String start, String element, String end, int bytes) {
        StringBuilder body = new StringBuilder(bytes + 16).append(start);
        while (body.length() + element.length() + end.length() <= bytes) {
            body.append(element);
        }
        return body.append(end).toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void buildsTheSameTreeAsJackson() throws Exception {
        String body = "{\"model\":\"m\",\"stream\":true,\"seed\":12345678901,\"big\":123456789012345678901234567890,"
                + "\"temperature\":0.7,\"n\":1,\"stop\":null,\"f\":false,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"text\",\"text\":\"h\\u00e9llo \\\"you\\\"\"}]}],\"options\":{\"a\":[1,[2,{}],[]]},"
                + "\"dup\":1,\"dup\":2}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        JsonNode read = DEFAULTS.read(bytes);
        assertThat(read).isEqualTo(Json.parse(bytes));
        assertThat(read.get("seed").isLong()).isTrue();
        assertThat(read.get("big").isBigInteger()).isTrue();
        assertThat(read.get("dup").asInt())
                .as("the last duplicate wins, as in Jackson")
                .isEqualTo(2);
    }

    @Test
    void keepsTheErrorsForAnEmptyOrInvalidBody() {
        assertThat(refusal(DEFAULTS, new byte[0]).getMessage()).contains("empty");
        assertThatThrownBy(() -> DEFAULTS.read(null)).hasMessageContaining("empty");
        assertThat(refusal(DEFAULTS, "{not json").getMessage()).contains("not valid JSON");
        assertThat(refusal(DEFAULTS, "[1,2").getMessage()).contains("not valid JSON");
        assertThat(refusal(DEFAULTS, "{\"a\":1").getMessage()).contains("not valid JSON");
        assertThat(DEFAULTS.read("  ".getBytes(StandardCharsets.UTF_8)).isMissingNode())
                .as("only whitespace: the door says it wants an object, as before")
                .isTrue();
    }

    @Test
    void refusesMoreMessagesThanTheLimit() {
        BoundedJsonReader reader = new BoundedJsonReader(new JsonLimits(3, 256, 32, 50_000));
        String three = "{\"role\":\"user\",\"content\":\"a\"},".repeat(3);
        assertThat(reader.read(("{\"messages\":[" + three.substring(0, three.length() - 1) + "]}")
                                .getBytes(StandardCharsets.UTF_8))
                        .get("messages")
                        .size())
                .isEqualTo(3);
        BadRequestException bad = refusal(reader, "{\"messages\":[" + three + "{}]}");
        assertThat(bad.param()).isEqualTo("messages");
        assertThat(bad.getMessage()).contains("more than 3 messages", "at most 3");
    }

    @Test
    void refusesMoreContentPartsOrImagesInOneMessageThanTheLimit() {
        BoundedJsonReader reader = new BoundedJsonReader(new JsonLimits(2048, 2, 32, 50_000));
        String part = "{\"type\":\"text\",\"text\":\"a\"}";
        assertThat(reader.read(("{\"messages\":[{\"role\":\"user\",\"content\":[" + part + "," + part + "]}]}")
                                .getBytes(StandardCharsets.UTF_8))
                        .at("/messages/0/content")
                        .size())
                .isEqualTo(2);
        BadRequestException parts = refusal(
                reader,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":[" + part + ","
                        + part + "," + part + "]}]}");
        assertThat(parts.param()).isEqualTo("messages[1].content");
        assertThat(parts.getMessage()).contains("more than 2 content parts", "at most 2");

        BadRequestException images = refusal(
                reader, "{\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"images\":[\"i\",\"j\",\"k\"]}]}");
        assertThat(images.param()).isEqualTo("messages[0].images");
        assertThat(images.getMessage()).contains("more than 2 images");

        // arrays elsewhere named alike are not messages' parts: only the node limit bounds them
        assertThat(reader.read(
                        "{\"content\":[1,2,3],\"options\":{\"messages\":[1,2,3]}}".getBytes(StandardCharsets.UTF_8)))
                .isNotNull();
    }

    @Test
    void refusesNestingDeeperThanTheLimitNamingWhere() {
        BoundedJsonReader reader = new BoundedJsonReader(new JsonLimits(2048, 256, 4, 50_000));
        assertThat(reader.read("{\"a\":{\"b\":{\"c\":{}}}}".getBytes(StandardCharsets.UTF_8)))
                .isNotNull();
        BadRequestException bad = refusal(reader, "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}");
        assertThat(bad.param()).isEqualTo("a.b.c.d");
        assertThat(bad.getMessage()).contains("more than 4 levels deep");
        assertThat(refusal(reader, "[[[[[]]]]]").param()).isEqualTo("[0][0][0][0]");

        // a body as deep as it can be in 4 MiB: refused at level 33, not read to its end (it never closes)
        BadRequestException deep = refusal(DEFAULTS, repeated("", "[", "", FOUR_MIB));
        assertThat(deep.getMessage()).contains("more than 32 levels deep");
    }

    @Test
    void aDepthLimitAboveJacksonsOwnIsHonoured() {
        int levels =
                5000; // past Jackson's default nesting limit (500), and deep enough to exhaust the stack of a recursive
        // reader
        BoundedJsonReader reader = new BoundedJsonReader(new JsonLimits(2048, 256, levels, 50_000));
        assertThat(reader.read(("[".repeat(levels) + "]".repeat(levels)).getBytes(StandardCharsets.UTF_8)))
                .isNotNull();
        assertThat(refusal(reader, "[".repeat(levels + 1) + "]".repeat(levels + 1))
                        .getMessage())
                .contains("more than " + levels + " levels deep");
    }

    @Test
    void refusesAtTheFirstValuePastTheNodeLimitHoweverLongTheBody() {
        BoundedJsonReader reader = new BoundedJsonReader(new JsonLimits(2048, 256, 32, 10));
        assertThat(reader.read("[1,2,3,4,5,6,7,8,9]".getBytes(StandardCharsets.UTF_8))
                        .size())
                .as("the array and its nine numbers: ten values")
                .isEqualTo(9);
        BadRequestException bad = refusal(reader, "[1,2,3,4,5,6,7,8,9,10]");
        assertThat(bad.param()).isEqualTo("[9]");
        assertThat(bad.getMessage()).contains("more than 10 JSON values");

        // what follows the eleventh value is never read: were it read, this body would be refused as invalid JSON
        for (int length : new int[] {100, 10_000, FOUR_MIB}) {
            byte[] body = repeated("[", "{},", "!!! not JSON", length);
            assertThat(refusal(reader, body).getMessage())
                    .as("a body of %d bytes", body.length)
                    .contains("more than 10 JSON values");
        }
    }

    @Test
    void aFourMebibyteBodyOfTinyValuesIsRefusedUnderTheDefaults() {
        BadRequestException objects = refusal(DEFAULTS, repeated("[", "{},", "{}]", FOUR_MIB));
        assertThat(objects.getMessage()).contains("more than 50000 JSON values");
        assertThat(objects.param()).as("the array is the first value").isEqualTo("[49999]");
        BadRequestException arrays =
                refusal(DEFAULTS, repeated("{\"messages\":[{\"role\":\"user\",\"x\":[", "[1],", "[1]]}]}", FOUR_MIB));
        assertThat(arrays.getMessage()).contains("more than 50000 JSON values");
        assertThat(arrays.param()).startsWith("messages[0].x[");
    }
}
