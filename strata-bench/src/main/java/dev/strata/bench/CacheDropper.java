package dev.strata.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Makes the next read "cold": writes back dirty data ({@code sync}), then drops the kernel's clean
 * page cache, dentries and inodes ({@code echo 3 > /proc/sys/vm/drop_caches}, root only). This
 * empties the caches of every file system at once — the native directory, the FUSE mount and the
 * fast tier's files under it — so both sides start from the disk. It does not empty caches below
 * the guest kernel (a VM's host page cache or the virtual disk's cache), which is why a "cold"
 * read on a VM may still be faster than the physical disk.
 */
interface CacheDropper {
    /** @return true if the caches were dropped */
    boolean drop() throws IOException;

    CacheDropper NONE = () -> false;

    /** The real thing: needs root; fails with an IOException that says so otherwise. */
    static CacheDropper kernel() {
        return () -> {
            Process p = new ProcessBuilder("sync").inheritIO().start();
            try {
                if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IOException("sync failed or hung");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted during sync", e);
            }
            try {
                Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n");
            } catch (IOException e) {
                throw new IOException("cannot drop the page cache (needs root): " + e.getMessage(), e);
            }
            return true;
        };
    }
}
