package dev.cortex.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway keys in force, as the key file and {@code CORTEX_MASTER_KEY} define them; consulted on every request.
 *
 * <p>The file is live: every call stats it (no read while it is unchanged) and a changed file is read again before
 * the call is answered, so a revocation takes effect on the very next request. A changed file that is invalid, or
 * that names something the validator refuses, leaves the last good keys in force and is logged once; it is tried
 * again when it changes again. A file that disappears leaves no keys from it (the master key, if any, stays). An
 * invalid file at construction throws, so Cortex refuses to start with the problem named.
 *
 * <p>Thread-safe: readers see one immutable set of keys; reloads are serialised. Logs name keys, never show a key or
 * a hash.
 */
public final class KeyRing {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);

    /** A master key shorter than this is easy to guess; {@link KeyCommand} makes keys of 46 characters. */
    private static final int SHORT_MASTER_KEY = 20;

    private final Path file;
    private final GatewayKey master;
    private final Consumer<GatewayKey> validator;
    private volatile KeySet current;

    /**
     * @param file      the key file; it need not exist
     * @param masterKey the plaintext of an extra admin key (from {@code CORTEX_MASTER_KEY}); null or blank for none.
     *                  Only its hash is kept.
     * @param validator checks each key of the file on every load (for instance that the providers it names exist);
     *                  throws {@link IllegalArgumentException} with a message to refuse one
     * @throws InvalidKeyFileException when the file is invalid or the validator refuses one of its keys
     * @throws UncheckedIOException    when the file exists but cannot be read
     */
    public KeyRing(Path file, String masterKey, Consumer<GatewayKey> validator) {
        this.file = Objects.requireNonNull(file, "file");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.master = masterKey == null || masterKey.isBlank() ? null : GatewayKey.master(masterKey.strip());
        if (master != null) {
            LOG.info("Master key from CORTEX_MASTER_KEY in force: an admin key named '{}'", GatewayKey.MASTER_NAME);
            if (masterKey.strip().length() < SHORT_MASTER_KEY) {
                LOG.warn(
                        "CORTEX_MASTER_KEY is shorter than {} characters: easy to guess; use a long random key",
                        SHORT_MASTER_KEY);
            }
        }
        FileStamp stamp = FileStamp.of(file); // before the read: a change during it is seen on the next call
        if (stamp.state() == FileStamp.State.MISSING) {
            LOG.info("No gateway keys file at {}: no keys from it", file);
            current = keySet(stamp, List.of());
            return;
        }
        try {
            current = keySet(stamp, readValid());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the gateway keys file " + file + ": " + e.getMessage(), e);
        }
        LOG.info("Gateway keys loaded from {}: {}", file, describe(current.fromFile()));
    }

    /**
     * The key whose hash matches {@code presented}, unless it is revoked; empty for no key, a blank one or an unknown
     * one. Surrounding white space is ignored. Every usable key is compared, in time independent of where a hash
     * differs, so response time reveals neither which key nor how much of one matched.
     */
    public Optional<GatewayKey> authenticate(String presented) {
        if (presented == null || presented.isBlank()) {
            return Optional.empty();
        }
        KeySet keys = refreshed();
        KeyHash hash = KeyHash.of(presented.strip());
        GatewayKey match = null;
        for (GatewayKey key : keys.usable()) {
            boolean same = key.sha256().matches(hash); // no early exit: the loop's length is not a hint
            if (same && match == null) {
                match = key;
            }
        }
        return Optional.ofNullable(match);
    }

    /**
     * Whether there are no keys at all: no master key and no entry in the file. Revoked entries count: a file whose
     * every key is revoked still means keys are in use (and none works).
     */
    public boolean isEmpty() {
        return refreshed().all().isEmpty();
    }

    /** The key with this name, revoked or not; the master key is {@value GatewayKey#MASTER_NAME}. */
    public Optional<GatewayKey> byName(String name) {
        return refreshed().all().stream().filter(k -> k.name().equals(name)).findFirst();
    }

    /** Every key now, revoked ones included: the master key first, then the file's in its order. */
    public List<GatewayKey> keys() {
        return refreshed().all();
    }

    public Path file() {
        return file;
    }

    private KeySet refreshed() {
        KeySet seen = current;
        if (FileStamp.of(file).equals(seen.stamp())) {
            return seen;
        }
        synchronized (this) {
            seen = current;
            FileStamp stamp = FileStamp.of(file); // another caller may have reloaded meanwhile
            if (!stamp.equals(seen.stamp())) {
                current = reload(seen, stamp);
            }
            return current;
        }
    }

    private KeySet reload(KeySet previous, FileStamp stamp) {
        if (stamp.state() == FileStamp.State.MISSING) {
            LOG.warn(
                    "Gateway keys file {} is gone: no keys from it now{}",
                    file,
                    master == null ? "" : " (the master key stays)");
            return keySet(stamp, List.of());
        }
        try {
            List<GatewayKey> keys = readValid();
            LOG.info("Gateway keys reloaded from {}: {}", file, describe(keys));
            return keySet(stamp, keys);
        } catch (InvalidKeyFileException | IOException e) {
            // the stamp is taken all the same: logged once, tried again only when the file changes again
            LOG.error(
                    "Gateway keys file changed but cannot be used; the {} loaded before stay in force until it is"
                            + " fixed: {}",
                    describe(previous.fromFile()),
                    e instanceof IOException ? "cannot read " + file + ": " + e.getMessage() : e.getMessage());
            return keySet(stamp, previous.fromFile());
        }
    }

    private List<GatewayKey> readValid() throws IOException {
        List<GatewayKey> keys = KeyFile.read(file);
        for (int i = 0; i < keys.size(); i++) {
            GatewayKey key = keys.get(i);
            try {
                validator.accept(key);
            } catch (IllegalArgumentException e) {
                throw new InvalidKeyFileException(
                        file + ": " + KeyFileParser.entryLabel(i + 1, key.name()) + ": " + e.getMessage());
            }
        }
        return keys;
    }

    private KeySet keySet(FileStamp stamp, List<GatewayKey> fromFile) {
        List<GatewayKey> all = new ArrayList<>();
        if (master != null) {
            all.add(master);
        }
        all.addAll(fromFile);
        List<GatewayKey> usable = all.stream().filter(k -> !k.revoked()).toList();
        return new KeySet(stamp, fromFile, List.copyOf(all), usable);
    }

    private static String describe(List<GatewayKey> keys) {
        if (keys.isEmpty()) {
            return "0 keys";
        }
        return keys.size()
                + (keys.size() == 1 ? " key" : " keys")
                + keys.stream()
                        .map(k -> k.name() + (k.revoked() ? " (revoked)" : ""))
                        .collect(Collectors.joining(", ", " (", ")"));
    }

    /**
     * The keys of one load of the file.
     *
     * @param stamp    the file as it was when read
     * @param fromFile the file's keys, in its order
     * @param all      the master key, if any, then the file's
     * @param usable   {@code all} without the revoked ones
     */
    private record KeySet(FileStamp stamp, List<GatewayKey> fromFile, List<GatewayKey> all, List<GatewayKey> usable) {}
}
