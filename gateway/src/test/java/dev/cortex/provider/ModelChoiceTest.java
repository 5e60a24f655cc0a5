package dev.cortex.provider;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.cortex.chat.Needs;

import static org.assertj.core.api.Assertions.assertThat;

/** How one provider picks among its models for what a request needs, and says why when none fits. */
class ModelChoiceTest {

    static final Needs TOOLS = new Needs(true, false, false, false, 100);
    static final Needs VISION = new Needs(false, false, true, false, 100);
    static final Needs SCHEMA = new Needs(false, true, false, false, 100);

    /** small (default): tools, 8k; big: tools, 128k; eyes: tools and vision, 32k; vec: embeddings. */
    static final ModelCatalog CATALOG = new ModelCatalog(
            "p",
            List.of("small", "big", "eyes"),
            List.of("vec"),
            Map.of(
                    "small", new Capabilities(true, true, false, false, false, 8_000),
                    "big", new Capabilities(true, true, false, false, false, 128_000),
                    "eyes", new Capabilities(true, true, false, true, false, 32_000),
                    "vec", Capabilities.embedding(2_000))::get);

    private static Needs tokens(long n) {
        return new Needs(false, false, false, false, n);
    }

    @Test
    void theRequestedModelServesWhenItCan() {
        assertThat(CATALOG.choose("big", TOOLS)).isEqualTo(ModelChoice.of("big"));
        assertThat(CATALOG.choose(null, TOOLS)).isEqualTo(ModelChoice.of("small"));
    }

    @Test
    void aModelThatCannotGivesWayToTheDefaultThenToTheFirstThatCan() {
        assertThat(CATALOG.choose("eyes", tokens(50_000)))
                .as("the default cannot hold it either: the first large enough")
                .isEqualTo(ModelChoice.of("big"));
        assertThat(CATALOG.choose("big", VISION)).isEqualTo(ModelChoice.of("eyes"));
        assertThat(CATALOG.choose("vec", TOOLS))
                .as("an embedding model asked for a chat: the default chats")
                .isEqualTo(ModelChoice.of("small"));
    }

    @Test
    void noneFitsWithTheReasonInWords() {
        assertThat(CATALOG.choose(null, SCHEMA)).isEqualTo(ModelChoice.none("no json_schema"));
        assertThat(CATALOG.choose(null, tokens(500_000))).isEqualTo(ModelChoice.none("context too small"));
        assertThat(CATALOG.choose(null, new Needs(false, false, true, false, 100_000)))
                .as("a model that sees but is too small: the window is what no model has")
                .isEqualTo(ModelChoice.none("context too small"));
    }

    @Test
    void anEmbeddingRequestGetsExactlyItsModelOrNone() {
        assertThat(CATALOG.choose("vec", Needs.embeddings(10))).isEqualTo(ModelChoice.of("vec"));
        assertThat(CATALOG.choose("other-vec", Needs.embeddings(10)))
                .isEqualTo(ModelChoice.none("other embedding model"));
        assertThat(CATALOG.choose("small", Needs.embeddings(10))).isEqualTo(ModelChoice.none("no embeddings"));
        assertThat(CATALOG.choose("vec", Needs.embeddings(5_000))).isEqualTo(ModelChoice.none("context too small"));
    }
}
