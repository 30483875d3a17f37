package dev.strata.meta.rocksdb;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Space held back for the metadata on a disk that the fast tier can fill.
 *
 * <p>Why: file data reaches the disk without passing through Strata (FUSE passthrough), so a
 * writer can take the last free block. RocksDB then refuses every write — including the unlink a
 * user runs to free space — until enough space is free again. The reserve is a preallocated file
 * next to the journal; when a commit fails for lack of space it is deleted, which gives RocksDB the
 * room it needs to resume, and it is allocated again once the disk has room for it several times.
 *
 * <p>Not thread-safe: called under the store's commit lock.
 */
final class SpaceReserve {
    private static final Logger LOG = LoggerFactory.getLogger(SpaceReserve.class);
    static final String FILE_NAME = "STRATA-SPACE-RESERVE";
    /** Allocate (again) only when the disk has this many times the reserve free. */
    static final int HEADROOM_FACTOR = 4;
    /** How often, at most, a missing reserve looks at the free space. */
    static final long RECHECK_NANOS = 10_000_000_000L;

    private final Path file;
    private final long bytes;
    private boolean held;
    private long lastCheckNanos;

    SpaceReserve(Path dir, long bytes) {
        this.file = dir.resolve(FILE_NAME);
        this.bytes = bytes;
        this.held = bytes > 0 && Files.exists(file);
        this.lastCheckNanos = System.nanoTime() - RECHECK_NANOS;
    }

    boolean held() {
        return held;
    }

    /** Allocates the reserve if it is missing and the disk has room for it; cheap when recently checked. */
    void replenish() {
        if (held || bytes <= 0 || System.nanoTime() - lastCheckNanos < RECHECK_NANOS) {
            return;
        }
        lastCheckNanos = System.nanoTime();
        int fd = -1;
        try {
            fd = Libc.open(file.getParent(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            long available = Libc.fstatvfs(fd).availableBlocks() * Libc.fstatvfs(fd).fragmentSize();
            Libc.close(fd);
            fd = -1;
            if (available < HEADROOM_FACTOR * bytes) {
                return;
            }
            fd = Libc.open(file, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
            Libc.fallocate(fd, 0, 0, bytes);
            Libc.fsync(fd);
            held = true;
            LOG.info("metadata space reserve of {} MiB in place at {}", bytes >> 20, file);
        } catch (ErrnoException e) {
            LOG.warn("could not allocate the metadata space reserve {}: {}", file, e.getMessage());
            deleteQuietly();
        } finally {
            Libc.close(fd);
        }
    }

    /** Frees the reserve; returns whether there was one to free. */
    boolean release() {
        if (!held) {
            return false;
        }
        held = false;
        lastCheckNanos = System.nanoTime();
        deleteQuietly();
        return true;
    }

    private void deleteQuietly() {
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            LOG.warn("could not delete the metadata space reserve {}: {}", file, e.getMessage());
        }
    }
}
