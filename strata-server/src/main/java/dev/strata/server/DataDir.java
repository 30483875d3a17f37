package dev.strata.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A Strata data directory and its layout:
 * <pre>
 *   DIR/strata.lock   held (fcntl lock) by the one process serving this directory; holds its pid
 *   DIR/meta/         the metadata store (RocksDB)
 *   DIR/data/         the fast tier: one file per inode
 *   DIR/bucket/       the default object store (a local directory)
 *   DIR/mountpoint    the path the serving process mounted, for `strata umount` and status
 * </pre>
 * Opening takes the lock; a directory in use by a live process is refused with a clear message.
 */
final class DataDir implements AutoCloseable {
    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDir(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates the directory if needed, checks it is writable, and takes its lock. */
    static DataDir open(Path root) throws CliException {
        root = root.toAbsolutePath().normalize();
        try {
            if (Files.exists(root) && !Files.isDirectory(root)) {
                throw new CliException("data directory " + root + " exists but is not a directory");
            }
            Files.createDirectories(root);
        } catch (AccessDeniedException e) {
            throw new CliException("cannot create data directory " + root + ": permission denied");
        } catch (IOException e) {
            throw new CliException("cannot create data directory " + root + ": " + e.getMessage());
        }
        if (!Files.isWritable(root)) {
            throw new CliException("data directory " + root + " is not writable by this user; "
                    + "choose another with --data-dir or fix its permissions");
        }
        Path lockFile = root.resolve("strata.lock");
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CliException("cannot open " + lockFile + ": " + e.getMessage()
                    + " (is the data directory on a read-only file system?)");
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CliException("cannot lock " + lockFile + ": " + e.getMessage());
        }
        if (l == null) {
            closeQuietly(ch);
            String holder = readPid(lockFile);
            throw new CliException("data directory " + root + " is already served by a running Strata"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + "; unmount it first with './strata umount MOUNTPOINT' or use another --data-dir");
        }
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(true);
            for (String sub : new String[] {"meta", "data", "bucket"}) {
                Files.createDirectories(root.resolve(sub));
            }
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CliException("cannot prepare data directory " + root + ": " + e.getMessage());
        }
        return new DataDir(root, ch, l);
    }

    /** The pid written in a data directory's lock file, or "" if none can be read. */
    static String readPid(Path lockFile) {
        try {
            return Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    Path root() {
        return root;
    }

    Path meta() {
        return root.resolve("meta");
    }

    Path data() {
        return root.resolve("data");
    }

    Path bucket() {
        return root.resolve("bucket");
    }

    Path mountpointFile() {
        return root.resolve("mountpoint");
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(mountpointFile());
        } catch (IOException ignored) {
            // Only informational; a stale file is overwritten by the next mount.
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // The lock goes with the descriptor anyway.
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing to do: the descriptor is released.
        }
    }
}
