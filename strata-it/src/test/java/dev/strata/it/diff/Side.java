package dev.strata.it.diff;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One of the two places a sequence runs in: a directory (on the local disk, or on the mount) and
 * the descriptors the sequence holds open there, by slot. Slots make a sequence independent of the
 * descriptor numbers the kernel hands out, so a sequence replays the same on both sides and after
 * shrinking.
 */
final class Side implements AutoCloseable {
    static final int SLOTS = 4;

    final String name;
    final Path root;
    final int[] fds = new int[SLOTS];

    Side(String name, Path root) {
        this.name = name;
        this.root = root;
        Arrays.fill(fds, -1);
    }

    Path path(String rel) {
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** The descriptor in {@code slot}, or -1. */
    int fd(int slot) {
        return fds[slot];
    }

    @Override
    public void close() {
        for (int i = 0; i < SLOTS; i++) {
            if (fds[i] >= 0) {
                PosixCalls.close(fds[i]);
                fds[i] = -1;
            }
        }
    }
}
