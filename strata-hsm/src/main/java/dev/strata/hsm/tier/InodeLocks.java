package dev.strata.hsm.tier;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped per-inode locks: at most one archive, restore or release of a file at a time. Striping
 * bounds the memory; two files sharing a stripe merely wait for each other.
 */
final class InodeLocks {
    private final ReentrantLock[] stripes = new ReentrantLock[256];

    InodeLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    ReentrantLock of(long ino) {
        return stripes[(int) (Long.hashCode(ino * 0x9E3779B97F4A7C15L) & (stripes.length - 1))];
    }
}
