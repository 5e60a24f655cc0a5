package dev.cortex.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.Strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class KeyFileTest {

    static final String HASH_A = KeyHash.of("ck_alpha").hex();
    static final String HASH_B = KeyHash.of("ck_beta").hex();

    @TempDir
    Path dir;

    static GatewayKey everyField() {
        AccessPolicy policy = new AccessPolicy(
                "team-a",
                Set.of("groq", "ollama"),
                List.of("llama-3.1-8b-instant", "ollama/*", "*", "llama3:8b", "1.5", "true"),
                4096,
                Strategy.COST_FIRST,
                true);
        return new GatewayKey(
                "team-a", KeyHash.of("ck_alpha"), Instant.parse("2026-12-03T09:30:00Z"), true, true, policy);
    }

    static GatewayKey minimal(String name, String key) {
        return new GatewayKey(
                name,
                KeyHash.of(key),
                null,
                false,
                false,
                new AccessPolicy(name, Set.of(), List.of(), null, null, false));
    }

    @Test
    void everyFieldSurvivesAWriteAndARead() throws IOException {
        Path file = dir.resolve("config/keys.yaml"); // the directory does not exist yet
        List<GatewayKey> keys = List.of(everyField(), minimal("b.2_x", "ck_beta"));

        KeyFile.write(file, keys);

        assertThat(KeyFile.read(file)).isEqualTo(keys);
        String text = Files.readString(file);
        assertThat(text).startsWith("# Cortex gateway keys").contains("scripts/cortex-key.sh");
        assertThat(text).doesNotContain("ck_alpha").doesNotContain("ck_beta");
        // the minimal entry carries no default fields
        assertThat(text.substring(text.indexOf("name: b.2_x")))
                .doesNotContain("admin")
                .doesNotContain("revoked");
    }

    @Test
    void aHashOfDigitsOnlyStaysText() throws IOException {
        String digits = "0123456789".repeat(6) + "0123";
        Path file = dir.resolve("keys.yaml");
        Files.writeString(file, "keys:\n  - name: d\n    sha256: " + digits + "\n");

        GatewayKey read = KeyFile.read(file).get(0);

        assertThat(read.sha256().hex()).isEqualTo(digits);
        KeyFile.write(file, List.of(read));
        assertThat(KeyFile.read(file).get(0).sha256().hex()).isEqualTo(digits);
    }

    @Test
    void handWrittenYamlReadsAsTheBriefShowsIt() throws IOException {
        Path file = dir.resolve("keys.yaml");
        Files.writeString(
                file,
                """
                # notes
                keys:
                  - name: team-a
                    sha256: %s
                    created: 2026-12-03T10:30:00+01:00
                    admin: True
                    providers: [groq, ollama]
                    models:
                      - llama-3.1-8b-instant
                      - "ollama/*"
                    max-tokens: 4096
                    strategy: cost-first
                    local-only: false
                """
                        .formatted(HASH_A.toUpperCase()));

        GatewayKey key = KeyFile.read(file).get(0);

        assertThat(key.sha256()).isEqualTo(KeyHash.of("ck_alpha"));
        assertThat(key.created()).isEqualTo(Instant.parse("2026-12-03T09:30:00Z"));
        assertThat(key.admin()).isTrue();
        assertThat(key.revoked()).isFalse();
        assertThat(key.policy())
                .isEqualTo(new AccessPolicy(
                        "team-a",
                        Set.of("groq", "ollama"),
                        List.of("llama-3.1-8b-instant", "ollama/*"),
                        4096,
                        Strategy.COST_FIRST,
                        false));
    }

    @Test
    void anEmptyFileOrAnEmptyListHasNoKeys() throws IOException {
        Path file = dir.resolve("keys.yaml");
        for (String text : List.of("", "# nothing yet\n", "keys: []\n", "keys:\n", "---\n")) {
            Files.writeString(file, text);
            assertThat(KeyFile.read(file)).as(text).isEmpty();
        }
        KeyFile.write(file, List.of());
        assertThat(Files.readString(file)).endsWith("\nkeys: []\n");
        assertThat(KeyFile.read(file)).isEmpty();
    }

    @Test
    void theFileIsTheOwnersAloneAndNoTemporaryFileStays() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("keys.yaml");
        Files.writeString(file, "keys: []\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        KeyFile.write(file, List.of(minimal("a", "ck_alpha")));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    static Stream<Arguments> invalidFiles() {
        String a = "  - name: team-a\n    sha256: " + HASH_A + "\n";
        String b = "  - name: team-b\n    sha256: " + HASH_B + "\n";
        return Stream.of(
                Arguments.of("keys:\n" + a + b + "    max-tokens: -3\n", "entry 2 (team-b)", "'max-tokens'", "line 6"),
                Arguments.of("keys:\n" + b + "    max-tokens: 0\n", "entry 1 (team-b)", "'max-tokens'", "positive"),
                Arguments.of("keys:\n" + b + "    max-tokens: 99999999999\n", "entry 1 (team-b)", "'max-tokens'", ""),
                Arguments.of("keys:\n" + b + "    max-tokens: lots\n", "entry 1 (team-b)", "'max-tokens'", ""),
                Arguments.of("keys:\n" + a + "    admn: true\n", "entry 1 (team-a)", "unknown field 'admn'", ""),
                Arguments.of("keys:\n" + a + "  - sha256: " + HASH_B + "\n", "entry 2", "'name' is missing", ""),
                Arguments.of("keys:\n" + a + a.replace(HASH_A, HASH_B), "entry 2 (team-a)", "already taken", ""),
                Arguments.of("keys:\n" + a + b.replace(HASH_B, HASH_A), "entry 2 (team-b)", "same as entry 1", ""),
                Arguments.of("keys:\n  - name: bad name\n    sha256: " + HASH_A + "\n", "entry 1", "'name'", ""),
                Arguments.of(
                        "keys:\n  - name: master\n    sha256: " + HASH_A + "\n", "entry 1", "CORTEX_MASTER_KEY", ""),
                Arguments.of("keys:\n  - name: team-a\n", "entry 1 (team-a)", "'sha256' is missing", ""),
                Arguments.of("keys:\n  - name: team-a\n    sha256: abc123\n", "entry 1 (team-a)", "'sha256'", "64 hex"),
                Arguments.of("keys:\n" + a + "    admin: yes\n", "entry 1 (team-a)", "'admin'", "true or false"),
                Arguments.of("keys:\n" + a + "    revoked: 1\n", "entry 1 (team-a)", "'revoked'", "true or false"),
                Arguments.of("keys:\n" + a + "    local-only: [true]\n", "entry 1 (team-a)", "'local-only'", ""),
                Arguments.of("keys:\n" + a + "    providers: groq\n", "entry 1 (team-a)", "'providers'", "list"),
                Arguments.of("keys:\n" + a + "    models: [a, [b]]\n", "entry 1 (team-a)", "'models'", ""),
                Arguments.of("keys:\n" + a + "    strategy: fastest\n", "entry 1 (team-a)", "'strategy'", "fastest"),
                Arguments.of("keys:\n" + a + "    created: yesterday\n", "entry 1 (team-a)", "'created'", ""),
                Arguments.of(
                        "keys:\n" + a + "    admin: true\n    admin: false\n", "entry 1 (team-a)", "'admin'", "twice"),
                Arguments.of("keys:\n  - just-a-name\n", "entry 1", "mapping", ""),
                Arguments.of("keys: team-a\n", "'keys'", "list", ""),
                Arguments.of("clients: []\n", "unknown top-level field 'clients'", "", ""),
                Arguments.of("- name: team-a\n", "mapping with one field, 'keys'", "", ""),
                Arguments.of("keys: [\n", "not valid YAML", "line", ""));
    }

    @ParameterizedTest
    @MethodSource("invalidFiles")
    void anInvalidFileIsRefusedNamingTheFileTheEntryAndTheField(String yaml, String entry, String field, String more)
            throws IOException {
        Path file = dir.resolve("keys.yaml");
        Files.writeString(file, yaml);

        assertThatThrownBy(() -> KeyFile.read(file))
                .isInstanceOf(InvalidKeyFileException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(entry)
                .hasMessageContaining(field)
                .hasMessageContaining(more)
                .satisfies(
                        e -> assertThat(e.getMessage()).doesNotContain(HASH_A).doesNotContain(HASH_B));
    }

    @Test
    void aKeyPastedWhereItsHashBelongsIsNeitherAcceptedNorRepeated() throws IOException {
        String key = "ck_" + "x".repeat(43);
        Path file = dir.resolve("keys.yaml");
        Files.writeString(file, "keys:\n  - name: team-a\n    sha256: " + key + "\n");

        assertThatThrownBy(() -> KeyFile.read(file))
                .hasMessageContaining("entry 1 (team-a)")
                .hasMessageContaining("looks like a key itself")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key));
    }

    @Test
    void aSyntaxErrorQuotesNoLineOfTheFile() throws IOException {
        Path file = dir.resolve("keys.yaml");
        Files.writeString(file, "keys:\n  - name: team-a\n    sha256: " + HASH_A + "\n   bad: [\n");

        assertThatThrownBy(() -> KeyFile.read(file))
                .hasMessageContaining("not valid YAML")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(HASH_A));
    }
}
