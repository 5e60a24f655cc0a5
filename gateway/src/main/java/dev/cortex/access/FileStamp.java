package dev.cortex.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What one stat of a file says: enough to tell that it changed without reading it. The file key (device and inode on
 * Unix) catches a file replaced by a rename, as {@link KeyFile#write}, editors and mounted secrets replace files, even
 * within the file system's time resolution; size and modification time catch an edit in place.
 *
 * @param state    whether the stat found the file
 * @param modified its last-modified time; null unless present
 * @param size     its size in bytes; 0 unless present
 * @param fileKey  the file system's identity of the file, where it has one; null otherwise
 */
record FileStamp(State state, FileTime modified, long size, Object fileKey) {

    enum State {
        PRESENT,
        MISSING,
        /** The stat itself failed (a permission, a file system error): the file is there or not, unknowably. */
        UNREADABLE
    }

    static final FileStamp MISSING = new FileStamp(State.MISSING, null, 0, null);
    static final FileStamp UNREADABLE = new FileStamp(State.UNREADABLE, null, 0, null);

    /** The stamp of {@code file} now; follows symbolic links, so a swapped link target counts as a change. */
    static FileStamp of(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(State.PRESENT, attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        } catch (NoSuchFileException e) {
            return MISSING;
        } catch (IOException e) {
            return UNREADABLE;
        }
    }
}
