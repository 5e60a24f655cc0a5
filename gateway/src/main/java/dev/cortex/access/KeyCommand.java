package dev.cortex.access;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.Strategy;
import dev.cortex.limits.KeyLimits;

/**
 * Issues, revokes and lists gateway keys in the key file ({@code scripts/cortex-key.sh} runs it). A new key is printed
 * once, alone on stdout, so {@code KEY=$(scripts/cortex-key.sh new --name x)} captures it; everything else goes to
 * stderr. A running Cortex picks up every change on its next request.
 */
public final class KeyCommand {

    static final int OK = 0;
    /** The key file cannot be read or written, or is invalid. */
    static final int FAILED = 1;
    /** The key file does not allow it: a name already taken, or no key of that name. */
    static final int REFUSED = 2;
    /** The command line is wrong (sysexits' EX_USAGE). */
    static final int USAGE = 64;

    static final String DEFAULT_FILE = "config/keys.yaml";
    static final String FILE_VARIABLE = "CORTEX_KEYS_FILE";

    /** 32 random bytes: 256 bits, beyond guessing; base64url keeps the key to characters safe in a header. */
    private static final int KEY_BYTES = 32;

    private static final String USAGE_TEXT =
            """
            Usage: scripts/cortex-key.sh <command> [options]
              new --name NAME [--admin] [--providers a,b] [--models m1,provider/*] [--max-tokens N]
                  [--strategy S] [--local-only] [--requests-per-minute N] [--tokens-per-minute N]
                  [--budget-per-day USD] [--budget-per-month USD] [--file F]
                                    makes a key, stores its SHA-256 and prints the key, once, on stdout
              revoke --name NAME [--file F]
                                    the key authenticates nothing from Cortex's next request on
              list [--file F]       names, scopes and policies (never keys or hashes)
              hash                  reads a key on stdin and prints its SHA-256 (for keys made elsewhere)
              generate              prints a new key without storing it (for CORTEX_MASTER_KEY)
            The key file is --file, else $CORTEX_KEYS_FILE, else config/keys.yaml.
            --admin gives operator scope as well (restore, detailed health, /api/route, /metrics).
            --strategy is one of %s.
            Exit status: 0 done, 1 the key file cannot be used, 2 name taken or unknown, 64 usage.
            """
                    .formatted(Strategy.names());

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Path workingDirectory;

    private KeyCommand(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
        this.workingDirectory = Path.of("");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
    }

    /**
     * Runs one command line and returns its exit status.
     *
     * @param in  where {@code hash} reads a key
     * @param out the new key, the listing, the hash: only what a script would capture
     * @param err notes and errors
     * @param env where {@value #FILE_VARIABLE} is looked up
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        KeyCommand command = new KeyCommand(in, out, err, env);
        if (args.length == 0) {
            return command.usage("a command is required");
        }
        List<String> options = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {
                case "new" -> command.create(options);
                case "revoke" -> command.revoke(options);
                case "list" -> command.list(options);
                case "hash" -> command.hash(options);
                case "generate" -> command.generate(options);
                case "help", "-h", "--help" -> {
                    out.print(USAGE_TEXT);
                    yield OK;
                }
                default -> command.usage("unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            return command.usage(e.getMessage());
        } catch (InvalidKeyFileException e) {
            err.println("The key file is invalid; fix it first: " + e.getMessage());
            return FAILED;
        } catch (IOException e) {
            err.println("Cannot use the key file: " + e);
            return FAILED;
        }
    }

    private int create(List<String> args) throws UsageException, IOException {
        CommandOptions options = CommandOptions.parse(
                "new",
                args,
                Set.of(
                        "--name",
                        "--providers",
                        "--models",
                        "--max-tokens",
                        "--strategy",
                        "--requests-per-minute",
                        "--tokens-per-minute",
                        "--budget-per-day",
                        "--budget-per-month",
                        "--file"),
                Set.of("--admin", "--local-only"));
        String name = options.required("--name");
        if (!GatewayKey.isValidName(name)) {
            throw new UsageException("--name must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (name.equals(GatewayKey.MASTER_NAME)) {
            throw new UsageException("the name '" + name + "' is kept for the key CORTEX_MASTER_KEY makes");
        }
        Set<String> providers = new LinkedHashSet<>(options.list("--providers"));
        List<String> models = options.list("--models");
        checkProviders(providers, models);
        KeyLimits limits = new KeyLimits(
                perMinute(options, "--requests-per-minute"),
                perMinute(options, "--tokens-per-minute"),
                money(options, "--budget-per-day"),
                money(options, "--budget-per-month"));
        AccessPolicy policy = new AccessPolicy(
                name, providers, models, maxTokens(options), strategy(options), options.flag("--local-only"), limits);

        Path file = file(options);
        List<GatewayKey> keys = new ArrayList<>(readOrEmpty(file));
        if (keys.stream().anyMatch(k -> k.name().equals(name))) {
            err.println("A key named " + name + " is already in " + file
                    + " (revoked keys keep their names); choose another name");
            return REFUSED;
        }
        String key = newKey();
        Instant created = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        keys.add(new GatewayKey(name, KeyHash.of(key), created, options.flag("--admin"), false, policy));
        KeyFile.write(file, keys);
        out.println(key);
        err.println("Key for " + name + " created in " + file
                + "; it is shown only now. Cortex picks it up on the next request.");
        return OK;
    }

    private int revoke(List<String> args) throws UsageException, IOException {
        CommandOptions options = CommandOptions.parse("revoke", args, Set.of("--name", "--file"), Set.of());
        String name = options.required("--name");
        Path file = file(options);
        List<GatewayKey> keys = new ArrayList<>(readOrEmpty(file));
        for (int i = 0; i < keys.size(); i++) {
            GatewayKey key = keys.get(i);
            if (key.name().equals(name)) {
                if (key.revoked()) {
                    err.println("Key " + name + " in " + file + " was already revoked");
                    return OK;
                }
                keys.set(i, key.revoke());
                KeyFile.write(file, keys);
                err.println("Key " + name + " revoked in " + file + "; Cortex refuses it from the next request on.");
                return OK;
            }
        }
        err.println("No key named " + name + " in " + file);
        return REFUSED;
    }

    private int list(List<String> args) throws UsageException, IOException {
        CommandOptions options = CommandOptions.parse("list", args, Set.of("--file"), Set.of());
        Path file = file(options);
        List<GatewayKey> keys = readOrEmpty(file);
        if (keys.isEmpty()) {
            err.println("No gateway keys in " + file);
            return OK;
        }
        out.print(KeyListing.table(keys));
        return OK;
    }

    private int hash(List<String> args) throws UsageException, IOException {
        CommandOptions.parse("hash", args, Set.of(), Set.of());
        // stripped as KeyRing strips a presented key, so the trailing newline of echo does not count
        String key = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        if (key.isEmpty()) {
            throw new UsageException("hash reads a key on stdin, e.g. printf %s \"$KEY\" | scripts/cortex-key.sh hash");
        }
        out.println(KeyHash.of(key).hex());
        return OK;
    }

    private int usage(String problem) {
        err.println(problem);
        err.print(USAGE_TEXT);
        return USAGE;
    }

    private Path file(CommandOptions options) {
        String variable = env.get(FILE_VARIABLE);
        String fallback = variable == null || variable.isBlank() ? DEFAULT_FILE : variable.trim();
        return Path.of(options.value("--file").orElse(fallback));
    }

    private static List<GatewayKey> readOrEmpty(Path file) throws IOException {
        try {
            return KeyFile.read(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private void checkProviders(Set<String> providers, List<String> models) throws UsageException, IOException {
        Optional<Set<String>> known = KnownProviders.find(workingDirectory);
        if (known.isEmpty()) {
            return;
        }
        Set<String> named = new LinkedHashSet<>(providers);
        // only provider/* is surely a provider: a model name may hold a slash of its own (meta-llama/llama-4-scout)
        models.stream()
                .filter(m -> m.endsWith("/*"))
                .map(m -> m.substring(0, m.length() - 2))
                .forEach(named::add);
        List<String> unknown =
                named.stream().filter(p -> !known.get().contains(p)).toList();
        if (!unknown.isEmpty()) {
            throw new UsageException("unknown provider " + String.join(", ", unknown)
                    + " (application.properties defines " + String.join(", ", known.get())
                    + "); Cortex would refuse the key file");
        }
    }

    private static Integer maxTokens(CommandOptions options) throws UsageException {
        return positive(options, "--max-tokens");
    }

    private static long perMinute(CommandOptions options, String option) throws UsageException {
        Integer value = positive(options, option);
        return value == null ? KeyLimits.NONE : value;
    }

    private static Integer positive(CommandOptions options, String option) throws UsageException {
        Optional<String> text = options.value(option);
        if (text.isEmpty()) {
            return null;
        }
        try {
            int value = Integer.parseInt(text.get().trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // falls through to the one message for every wrong value
        }
        throw new UsageException(option + " must be a positive whole number");
    }

    private static long money(CommandOptions options, String option) throws UsageException {
        Optional<String> text = options.value(option);
        if (text.isEmpty()) {
            return KeyLimits.NONE;
        }
        try {
            return KeyLimits.micros(new BigDecimal(text.get().trim()));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException(option + " must be US dollars such as 5 or 2.50 (at most 6 decimals)");
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " cannot be negative");
        }
    }

    private static Strategy strategy(CommandOptions options) throws UsageException {
        Optional<String> text = options.value("--strategy");
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Strategy.parse(text.get());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** A key for the environment ({@code CORTEX_MASTER_KEY}): nothing is written, the caller keeps it. */
    private int generate(List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("generate takes no options");
        }
        out.println(newKey());
        return OK;
    }

    private static String newKey() {
        byte[] random = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(random);
        return "ck_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
