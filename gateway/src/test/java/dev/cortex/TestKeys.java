package dev.cortex;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.cortex.access.KeyCommand;

import static org.assertj.core.api.Assertions.assertThat;

/** Gateway keys for tests, made the way an operator makes them: with the key command (scripts/cortex-key.sh). */
public final class TestKeys {

    private TestKeys() {}

    /** {@code cortex-key.sh new --file <file> <options>}: returns the key it printed once. */
    public static String create(Path file, String... options) {
        List<String> args = new ArrayList<>(List.of("new", "--file", file.toString()));
        args.addAll(List.of(options));
        return command(args.toArray(String[]::new)).trim();
    }

    /** Runs the key command, which must succeed; returns what it printed on stdout. */
    public static String command(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KeyCommand.run(
                args,
                InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of());
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
