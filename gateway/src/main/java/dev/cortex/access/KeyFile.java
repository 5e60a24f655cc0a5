package dev.cortex.access;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * The gateway-key file ({@code config/keys.yaml} by default): a YAML list of named entries, each holding the SHA-256 of
 * a key and the policy its requests run under. The format is described in the header every write puts on top
 * ({@link KeyFileRenderer#HEADER}).
 */
public final class KeyFile {

    /** Owner read and write only: the file holds no key, but its hashes are nobody else's business. */
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private KeyFile() {}

    /**
     * The keys the file lists, in its order.
     *
     * @throws InvalidKeyFileException when the content is not a valid key file; the message names the file, the entry
     *                                 and the field
     * @throws java.nio.file.NoSuchFileException when there is no such file
     * @throws IOException when it cannot be read
     */
    public static List<GatewayKey> read(Path file) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidKeyFileException(file + ": not UTF-8 text");
        }
        return new KeyFileParser(file.toString()).parse(text);
    }

    /**
     * Replaces the file with these keys, atomically: Cortex, reading it on any request, sees the old content or the new
     * one, never half of it. Creates the directory if needed; the file is readable by its owner only where the file
     * system has POSIX permissions.
     */
    public static void write(Path file, List<GatewayKey> keys) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // in the same directory, so the final move is a rename within one file system
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", ownerOnly(dir));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(KeyFileRenderer.render(keys).getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true); // on disk before it takes the file's name: a crash leaves old or new, never empty
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        return posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
    }
}
