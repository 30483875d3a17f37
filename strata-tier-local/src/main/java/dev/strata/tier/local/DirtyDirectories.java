package dev.strata.tier.local;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The fan-out directories that gained or lost an entry since their last fsync: one bit per
 * directory, so the set is bounded by the layout ({@value FanOutLayout#DIRECTORIES} entries) and
 * marking costs one atomic OR on the create/delete path.
 */
final class DirtyDirectories {
    private final AtomicLongArray words = new AtomicLongArray(FanOutLayout.DIRECTORIES / Long.SIZE);

    void mark(int directory) {
        words.getAndAccumulate(directory / Long.SIZE, 1L << (directory % Long.SIZE), (a, b) -> a | b);
    }

    /** Takes the current set and empties it; a directory marked meanwhile stays for the next drain. */
    int[] drain() {
        int[] taken = new int[FanOutLayout.DIRECTORIES];
        int n = 0;
        for (int w = 0; w < words.length(); w++) {
            long bits = words.getAndSet(w, 0);
            while (bits != 0) {
                int bit = Long.numberOfTrailingZeros(bits);
                taken[n++] = w * Long.SIZE + bit;
                bits &= bits - 1;
            }
        }
        return Arrays.copyOf(taken, n);
    }

    int count() {
        int n = 0;
        for (int w = 0; w < words.length(); w++) {
            n += Long.bitCount(words.get(w));
        }
        return n;
    }
}
