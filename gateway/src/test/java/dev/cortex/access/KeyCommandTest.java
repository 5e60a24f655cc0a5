package dev.cortex.access;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.Strategy;

import static org.assertj.core.api.Assertions.assertThat;

class KeyCommandTest {

    @TempDir
    Path dir;

    Path file;

    record Result(int status, String out, String err) {}

    Result run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KeyCommand.run(
                args,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The command on {@link #file}. */
    Result run(String... args) {
        file = file == null ? dir.resolve("config/keys.yaml") : file;
        List<String> withFile = new ArrayList<>(List.of(args));
        withFile.add("--file");
        withFile.add(file.toString());
        return run(Map.of(), "", withFile.toArray(String[]::new));
    }

    String newKey(String... args) {
        Result result = run(args);
        assertThat(result.status()).as(result.err()).isZero();
        return result.out().strip();
    }

    @Test
    void newPrintsOnlyTheKeyWhichThenAuthenticatesWithTheRequestedPolicy() throws IOException {
        Result result = run(
                "new",
                "--name",
                "team-a",
                "--admin",
                "--providers",
                "groq,ollama",
                "--models=llama-3.1-8b-instant,ollama/*",
                "--max-tokens",
                "4096",
                "--strategy",
                "cost-first",
                "--local-only");

        assertThat(result.status()).isZero();
        assertThat(result.out().lines()).singleElement().asString().matches("ck_[A-Za-z0-9_-]{43}");
        assertThat(result.err())
                .contains("Key for team-a created in " + file + "; it is shown only now.")
                .doesNotContain("ck_");
        String key = result.out().strip();
        assertThat(Files.readString(file)).doesNotContain(key).contains("name: team-a");

        KeyRing ring = new KeyRing(file, null, k -> {});
        assertThat(ring.authenticate(key)).hasValueSatisfying(k -> {
            assertThat(k.admin()).isTrue();
            assertThat(k.created()).isNotNull();
            assertThat(k.policy())
                    .isEqualTo(new AccessPolicy(
                            "team-a",
                            Set.of("groq", "ollama"),
                            List.of("llama-3.1-8b-instant", "ollama/*"),
                            4096,
                            Strategy.COST_FIRST,
                            true));
        });
    }

    @Test
    void everyKeyIsNewAndAPlainOneHasNoPowers() {
        String first = newKey("new", "--name", "a");
        String second = newKey("new", "--name", "b");

        assertThat(first).isNotEqualTo(second);
        KeyRing ring = new KeyRing(file, null, k -> {});
        assertThat(ring.authenticate(second)).hasValueSatisfying(k -> {
            assertThat(k.name()).isEqualTo("b");
            assertThat(k.admin()).isFalse();
            assertThat(k.policy()).isEqualTo(new AccessPolicy("b", Set.of(), List.of(), null, null, false));
        });
    }

    @Test
    void aNameIsNeverIssuedTwiceEvenAfterARevocation() throws IOException {
        newKey("new", "--name", "team-a");
        String before = Files.readString(file);

        Result again = run("new", "--name", "team-a");
        assertThat(again.status()).isEqualTo(2);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).contains("team-a").contains("already");
        assertThat(Files.readString(file)).isEqualTo(before);

        run("revoke", "--name", "team-a");
        assertThat(run("new", "--name", "team-a").status()).isEqualTo(2);
    }

    @Test
    void aRevokedKeyAuthenticatesNothingFromTheNextCallOn() {
        String key = newKey("new", "--name", "team-a");
        KeyRing ring = new KeyRing(file, null, k -> {});
        assertThat(ring.authenticate(key)).isPresent();

        Result revoked = run("revoke", "--name", "team-a");

        assertThat(revoked.status()).isZero();
        assertThat(revoked.err()).contains("team-a revoked");
        assertThat(ring.authenticate(key)).isEmpty();
        assertThat(run("revoke", "--name", "team-a").status()).isZero();
        Result unknown = run("revoke", "--name", "team-z");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("No key named team-z");
    }

    @Test
    void listShowsNamesScopesAndPoliciesButNoKeyAndNoHash() {
        String admin = newKey("new", "--name", "ops", "--admin");
        String chat = newKey("new", "--name", "team-a", "--providers", "ollama", "--max-tokens", "512", "--local-only");
        run("revoke", "--name", "ops");

        Result list = run("list");

        assertThat(list.status()).isZero();
        assertThat(list.out().lines()).hasSize(3);
        assertThat(list.out().lines().toList().get(0)).startsWith("NAME").contains("SCOPE", "STATUS", "POLICY");
        assertThat(list.out())
                .containsPattern("ops +admin +revoked +\\d{4}-.*Z +all providers; configured models")
                .containsPattern(
                        "team-a +chat +active .*providers ollama; configured models; max-tokens 512; local only")
                .doesNotContain(admin, chat)
                .doesNotContain(KeyHash.of(admin).hex(), KeyHash.of(chat).hex());
    }

    @Test
    void listOfNoFileSaysSo() {
        Result list = run("list");

        assertThat(list.status()).isZero();
        assertThat(list.out()).isEmpty();
        assertThat(list.err()).contains("No gateway keys in");
    }

    @Test
    void hashPrintsTheSha256OfTheKeyOnStdin() {
        Result result = run(Map.of(), "ck_made_elsewhere\n", "hash");

        assertThat(result.status()).isZero();
        assertThat(result.out()).isEqualTo(KeyHash.of("ck_made_elsewhere").hex() + System.lineSeparator());
        assertThat(run(Map.of(), "", "hash").status()).isEqualTo(64);
    }

    @Test
    void generatePrintsAFreshKeyAndStoresNothing() {
        Result first = run(Map.of(), "", "generate");
        Result second = run(Map.of(), "", "generate");

        assertThat(first.status()).isZero();
        assertThat(first.out().strip())
                .startsWith("ck_")
                .hasSize(46)
                .isNotEqualTo(second.out().strip());
        assertThat(run("list").err()).contains("No gateway keys in");
    }

    @Test
    void theFileComesFromTheEnvironmentWhenNotGiven() {
        Path fromEnv = dir.resolve("env/keys.yaml");
        Result result = run(Map.of("CORTEX_KEYS_FILE", fromEnv.toString()), "", "new", "--name", "x");

        assertThat(result.status()).isZero();
        assertThat(new KeyRing(fromEnv, null, k -> {}).authenticate(result.out().strip()))
                .isPresent();
    }

    @Test
    void aWrongCommandLineIsAUsageErrorThatWritesNothing() {
        List<String[]> wrong = List.of(
                new String[] {},
                new String[] {"issue", "--name", "x"},
                new String[] {"new"},
                new String[] {"new", "--name"},
                new String[] {"new", "--name", "x", "--admn"},
                new String[] {"new", "--name", "x", "extra"},
                new String[] {"new", "--name", "x", "--name", "y"},
                new String[] {"new", "--name", "bad name"},
                new String[] {"new", "--name", "master"},
                new String[] {"new", "--name", "x", "--max-tokens", "0"},
                new String[] {"new", "--name", "x", "--max-tokens", "many"},
                new String[] {"new", "--name", "x", "--strategy", "fastest"},
                new String[] {"new", "--name", "x", "--providers", "groq,grok"},
                new String[] {"new", "--name", "x", "--models", "grok/*"},
                new String[] {"revoke", "--admin", "--name", "x"},
                new String[] {"list", "--name", "x"});
        for (String[] args : wrong) {
            Result result = run(Map.of(), "", args);
            assertThat(result.status()).as(String.join(" ", args)).isEqualTo(64);
            assertThat(result.out()).isEmpty();
            assertThat(result.err()).contains("Usage: scripts/cortex-key.sh");
        }
        assertThat(dir.resolve("config")).doesNotExist();
        assertThat(Path.of(KeyCommand.DEFAULT_FILE)).doesNotExist();
        assertThat(run(Map.of(), "", "new", "--name", "x", "--providers", "grok")
                        .err())
                .contains("unknown provider grok")
                .contains("groq");
    }

    @Test
    void anInvalidFileIsLeftAloneAndNamed() throws IOException {
        file = dir.resolve("keys.yaml");
        Files.writeString(file, "keys:\n  - name: team-a\n");

        Result result = run("new", "--name", "team-b");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .contains(file.toString())
                .contains("entry 1 (team-a)")
                .contains("'sha256'");
        assertThat(Files.readString(file)).isEqualTo("keys:\n  - name: team-a\n");
    }

    @Test
    void helpIsUsageOnStdout() {
        Result result = run(Map.of(), "", "--help");

        assertThat(result.status()).isZero();
        assertThat(result.out()).startsWith("Usage: scripts/cortex-key.sh").contains("cost_first");
    }
}
