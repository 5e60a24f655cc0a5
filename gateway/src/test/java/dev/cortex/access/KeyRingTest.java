package dev.cortex.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cortex.LogCapture;
import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.Strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyRingTest {

    static final Consumer<GatewayKey> ANY = key -> {};

    @TempDir
    Path dir;

    Path file;

    static GatewayKey key(String name, String key, String... providers) {
        return new GatewayKey(
                name,
                KeyHash.of(key),
                null,
                false,
                false,
                new AccessPolicy(name, Set.of(providers), List.of(), 1024, Strategy.LOCAL_FIRST, false));
    }

    void write(GatewayKey... keys) throws IOException {
        file = file == null ? dir.resolve("keys.yaml") : file;
        KeyFile.write(file, List.of(keys));
    }

    /** Rewrites the file in place (same inode) and moves its clock on, as a hand edit on a coarse file system would. */
    void editInPlace(String from, String to) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, Files.readString(file).replace(from, to));
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2_000));
    }

    @Test
    void theRightKeyAuthenticatesAWrongRevokedOrBlankOneDoesNot() throws IOException {
        write(key("team-a", "ck_alpha", "groq"), key("team-b", "ck_beta").revoke());
        KeyRing ring = new KeyRing(file, null, ANY);

        assertThat(ring.authenticate("ck_alpha")).hasValueSatisfying(k -> {
            assertThat(k.name()).isEqualTo("team-a");
            assertThat(k.admin()).isFalse();
            assertThat(k.policy().providers()).containsExactly("groq");
            assertThat(k.policy().maxTokens()).isEqualTo(1024);
        });
        assertThat(ring.authenticate("  ck_alpha\n")).isPresent();
        assertThat(ring.authenticate("ck_alph")).isEmpty();
        assertThat(ring.authenticate("ck_beta")).isEmpty();
        assertThat(ring.authenticate("")).isEmpty();
        assertThat(ring.authenticate("   ")).isEmpty();
        assertThat(ring.authenticate(null)).isEmpty();
        assertThat(ring.byName("team-b"))
                .hasValueSatisfying(k -> assertThat(k.revoked()).isTrue());
        assertThat(ring.keys()).extracting(GatewayKey::name).containsExactly("team-a", "team-b");
        assertThat(ring.isEmpty()).isFalse();
    }

    @Test
    void theMasterKeyIsAnUnrestrictedAdminKeptOnlyAsAHash() throws IOException {
        write(key("team-a", "ck_alpha"));
        KeyRing ring = new KeyRing(file, " master-secret-of-enough-length\n", ANY);

        assertThat(ring.authenticate("master-secret-of-enough-length")).hasValueSatisfying(k -> {
            assertThat(k.name()).isEqualTo("master");
            assertThat(k.admin()).isTrue();
            assertThat(k.policy()).isEqualTo(new AccessPolicy("master", Set.of(), List.of(), null, null, false));
        });
        assertThat(ring.authenticate("ck_alpha")).map(GatewayKey::name).contains("team-a");
        assertThat(ring.keys()).extracting(GatewayKey::name).containsExactly("master", "team-a");
        assertThat(ring.keys().get(0).toString()).doesNotContain("master-secret");
    }

    @Test
    void noFileAndNoMasterKeyIsEmptyAndABlankMasterKeyIsNone() {
        KeyRing ring = new KeyRing(dir.resolve("absent.yaml"), "  ", ANY);

        assertThat(ring.isEmpty()).isTrue();
        assertThat(ring.keys()).isEmpty();
        assertThat(ring.authenticate("anything")).isEmpty();
    }

    @Test
    void anEditTakesEffectOnTheVeryNextCall() throws IOException {
        write(key("team-a", "ck_alpha"), key("team-b", "ck_beta"));
        KeyRing ring = new KeyRing(file, null, ANY);
        assertThat(ring.authenticate("ck_alpha")).isPresent();

        write(key("team-a", "ck_alpha").revoke(), key("team-b", "ck_beta"));
        assertThat(ring.authenticate("ck_alpha")).isEmpty();

        write(key("team-a", "ck_alpha").revoke(), key("team-b", "ck_beta"), key("team-c", "ck_gamma"));
        assertThat(ring.authenticate("ck_gamma")).map(GatewayKey::name).contains("team-c");

        write(key("team-c", "ck_gamma"));
        assertThat(ring.authenticate("ck_beta")).isEmpty();
        assertThat(ring.keys()).extracting(GatewayKey::name).containsExactly("team-c");
    }

    @Test
    void anEditInPlaceOfTheSameSizeIsSeenByItsModificationTime() throws IOException {
        write(key("team-a", "ck_alpha"));
        KeyRing ring = new KeyRing(file, null, ANY);
        assertThat(ring.authenticate("ck_alpha")).isPresent();

        editInPlace(KeyHash.of("ck_alpha").hex(), KeyHash.of("ck_other").hex());

        assertThat(ring.authenticate("ck_alpha")).isEmpty();
        assertThat(ring.authenticate("ck_other")).isPresent();
    }

    @Test
    void anUnchangedStampMeansNoRead() throws IOException {
        write(key("team-a", "ck_alpha"));
        KeyRing ring = new KeyRing(file, null, ANY);
        FileTime stamp = Files.getLastModifiedTime(file);

        // same inode, same size, same time: to the ring the file has not changed, so it is not read again
        Files.writeString(
                file,
                Files.readString(file)
                        .replace(KeyHash.of("ck_alpha").hex(), KeyHash.of("x").hex()));
        Files.setLastModifiedTime(file, stamp);

        assertThat(ring.authenticate("ck_alpha")).isPresent();
    }

    @Test
    void anInvalidEditKeepsTheLastGoodKeysAndIsLoggedOnceUntilFixed() throws IOException {
        write(key("team-a", "ck_alpha"));
        KeyRing ring = new KeyRing(file, null, ANY);

        try (LogCapture log = new LogCapture()) {
            editInPlace("max-tokens: 1024", "max-tokens: -1024");
            assertThat(ring.authenticate("ck_alpha")).isPresent();
            assertThat(ring.authenticate("ck_alpha")).isPresent();
            assertThat(log.text().lines().filter(l -> l.startsWith("ERROR")))
                    .singleElement()
                    .asString()
                    .contains(file.toString())
                    .contains("entry 1 (team-a)")
                    .contains("'max-tokens'")
                    .contains("1 key (team-a)");

            write(key("team-a", "ck_alpha").revoke());
            assertThat(ring.authenticate("ck_alpha")).isEmpty();
            assertThat(log.text()).contains("Gateway keys reloaded from " + file + ": 1 key (team-a (revoked))");
        }
    }

    @Test
    void aDeletedFileLeavesOnlyTheMasterKey() throws IOException {
        write(key("team-a", "ck_alpha"));
        KeyRing ring = new KeyRing(file, "master-secret-of-enough-length", ANY);
        KeyRing withoutMaster = new KeyRing(file, null, ANY);

        Files.delete(file);

        assertThat(ring.authenticate("ck_alpha")).isEmpty();
        assertThat(ring.authenticate("master-secret-of-enough-length")).isPresent();
        assertThat(ring.isEmpty()).isFalse();
        assertThat(withoutMaster.isEmpty()).isTrue();

        write(key("team-a", "ck_alpha"));
        assertThat(ring.authenticate("ck_alpha")).isPresent();
    }

    @Test
    void aKeyTheValidatorRefusesStopsConstructionAndALiveEditIsIgnored() throws IOException {
        Consumer<GatewayKey> knownProviders = key -> key.policy().providers().forEach(p -> {
            if (!Set.of("groq", "ollama").contains(p)) {
                throw new IllegalArgumentException("unknown provider '" + p + "'");
            }
        });
        write(key("team-a", "ck_alpha"), key("team-b", "ck_beta", "grok"));

        assertThatThrownBy(() -> new KeyRing(file, null, knownProviders))
                .isInstanceOf(InvalidKeyFileException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("entry 2 (team-b)")
                .hasMessageContaining("unknown provider 'grok'");

        write(key("team-a", "ck_alpha"));
        KeyRing ring = new KeyRing(file, null, knownProviders);
        write(key("team-a", "ck_alpha", "grok"), key("team-b", "ck_beta"));
        assertThat(ring.authenticate("ck_beta")).isEmpty();
        assertThat(ring.authenticate("ck_alpha"))
                .hasValueSatisfying(k -> assertThat(k.policy().providers()).isEmpty());
    }

    @Test
    void readersDuringRewritesAlwaysSeeAWholeFile() throws Exception {
        write(key("team-a", "ck_alpha"));
        KeyRing ring = new KeyRing(file, null, ANY);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger misses = new AtomicInteger();
        ExecutorService readers = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                running.add(readers.submit(() -> {
                    while (writing.get()) {
                        if (ring.authenticate("ck_alpha").isEmpty()) {
                            misses.incrementAndGet();
                        }
                    }
                }));
            }
            // team-a is in every version of the file: no reader may ever miss it
            for (int i = 0; i < 40; i++) {
                if (i % 2 == 0) {
                    write(key("team-a", "ck_alpha"), key("team-b", "ck_beta"));
                } else {
                    write(key("team-a", "ck_alpha"));
                }
            }
            writing.set(false);
            for (Future<?> reader : running) {
                reader.get(10, TimeUnit.SECONDS);
            }
        } finally {
            readers.shutdownNow();
        }
        assertThat(misses).hasValue(0);
    }

    @Test
    void anInvalidFileAtStartStopsConstructionNamingTheProblem() throws IOException {
        file = dir.resolve("keys.yaml");
        Files.writeString(file, "keys:\n  - name: team-a\n");

        assertThatThrownBy(() -> new KeyRing(file, null, ANY))
                .isInstanceOf(InvalidKeyFileException.class)
                .hasMessageContaining("entry 1 (team-a): field 'sha256' is missing");
    }

    @Test
    void theLogNamesKeysButNeverShowsAKeyOrAHash() throws IOException {
        try (LogCapture log = new LogCapture()) {
            write(key("team-a", "ck_alpha"));
            KeyRing ring = new KeyRing(file, "master-secret-of-enough-length", ANY);
            write(key("team-a", "ck_alpha"), key("team-b", "ck_beta"));
            ring.authenticate("ck_beta");
            editInPlace("name: team-b", "name: team-b\n    sha256x: 1");
            ring.authenticate("ck_beta");
            Files.delete(file);
            ring.authenticate("ck_beta");

            assertThat(log.text())
                    .contains("team-a", "team-b")
                    .doesNotContain("ck_alpha", "ck_beta", "master-secret")
                    .doesNotContain(
                            KeyHash.of("ck_alpha").hex(), KeyHash.of("ck_beta").hex())
                    .doesNotContain(KeyHash.of("master-secret-of-enough-length").hex());
        }
    }
}
