package dev.strata.it.crash;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The content a file must have, rebuilt from the writes and truncates that produced it. The
 * workload keeps one per file as its model; the verifier rebuilds the same from the log.
 */
final class FileImage {
    /** The workload keeps files at most this large, so an image is a plain array. */
    static final int MAX_BYTES = 256 * 1024;

    private byte[] bytes = new byte[0];
    private int size;

    /** The bytes a write with {@code seed} puts down: the same in the workload and the verifier. */
    static byte[] block(long seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    void write(long offset, byte[] data) {
        int end = Math.toIntExact(offset + data.length);
        ensure(end);
        System.arraycopy(data, 0, bytes, (int) offset, data.length);
        size = Math.max(size, end);
    }

    void truncate(long newSize) {
        int s = Math.toIntExact(newSize);
        ensure(s);
        if (s < size) {
            Arrays.fill(bytes, s, size, (byte) 0);
        }
        size = s;
    }

    int size() {
        return size;
    }

    byte byteAt(int offset) {
        return offset < size ? bytes[offset] : 0;
    }

    byte[] content() {
        return Arrays.copyOf(bytes, size);
    }

    long crc() {
        return crc(bytes, size);
    }

    static long crc(byte[] data, int length) {
        CRC32C c = new CRC32C();
        c.update(data, 0, length);
        return c.getValue();
    }

    private void ensure(int capacity) {
        if (capacity > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(capacity, Math.min(MAX_BYTES * 2, bytes.length * 2)));
        }
    }
}
