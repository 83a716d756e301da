package dev.tributary.server.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files that hold secrets (private keys, connection profiles with credentials): created
 * owner-only from the first byte, replaced atomically so that a reader or a crash never sees half a
 * file.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    /** Whether the file system enforces POSIX permissions (not on Windows). */
    public static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Creates {@code dir} and missing parents; a directory this call creates is owner-only. */
    public static Path createPrivateDirectories(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                return dir;
            }
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (posix(dir)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            } else {
                Files.createDirectory(dir);
            }
            return dir;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) {
                return dir; // created concurrently
            }
            throw new UncheckedIOException("not a directory: " + dir, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code target} with {@code content}: written to a temporary file in the same
     * directory (owner read/write only when {@code ownerOnly}), forced to disk, then renamed over
     * the target.
     */
    public static void writeAtomically(Path target, byte[] content, boolean ownerOnly) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            FileAttribute<?>[] attrs = ownerOnly && posix(dir)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE)}
                    : new FileAttribute<?>[0];
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attrs);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (!ownerOnly && posix(dir)) {
                // createTempFile is always owner-only; public material (certificates) is world-readable.
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is what matters
                }
            }
        }
    }

    /** Makes a rename durable; not possible on every platform, where it is skipped. */
    private static void syncDirectory(Path dir) {
        if (!FileSystems.getDefault().equals(dir.getFileSystem()) || !posix(dir)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems refuse to open directories; the rename itself has happened
        }
    }
}
