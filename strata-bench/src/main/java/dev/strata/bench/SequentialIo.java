package dev.strata.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Sequential write and read of one large file with blocking {@link FileChannel} calls on a direct
 * buffer, so that each call is one write(2)/read(2) of {@code blockBytes} and the JVM adds no copy
 * the kernel would not also see from a C program.
 *
 * <p>Every block carries its index in its first eight bytes; the reader checks them, so a figure
 * is never reported for a read that returned the wrong bytes.
 */
final class SequentialIo {
    private final int blockBytes;
    private final ByteBuffer block;

    SequentialIo(int blockBytes) {
        this.blockBytes = blockBytes;
        this.block = ByteBuffer.allocateDirect(blockBytes);
        // Incompressible filler, in case a layer below ever compresses or deduplicates.
        SplittableRandom random = new SplittableRandom(42);
        while (block.remaining() >= Long.BYTES) {
            block.putLong(random.nextLong());
        }
        block.clear();
    }

    /**
     * Creates (or truncates) {@code file}, writes {@code sizeBytes} in blocks, fsyncs and closes.
     *
     * @return seconds from open to the end of close
     */
    double write(Path file, long sizeBytes) throws IOException {
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long index = 0;
            for (long done = 0; done < sizeBytes; index++) {
                int n = (int) Math.min(blockBytes, sizeBytes - done);
                block.clear().limit(n);
                if (n >= Long.BYTES) {
                    block.putLong(0, index);
                }
                while (block.hasRemaining()) {
                    ch.write(block);
                }
                done += n;
            }
            ch.force(true);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Reads {@code file} to its end in blocks and checks each block's index.
     *
     * @return seconds from open to the end of close
     * @throws IOException also when the file is not {@code expectedBytes} long or a block is wrong
     */
    double read(Path file, long expectedBytes) throws IOException {
        long t0 = System.nanoTime();
        long total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long index = 0; ; index++) {
                block.clear();
                int r = 0;
                while (block.hasRemaining() && (r = ch.read(block)) > 0) {
                    // fill the whole block, so the index check sees block boundaries
                }
                int n = block.position();
                if (n >= Long.BYTES && block.getLong(0) != index) {
                    throw new IOException(file + ": block " + index + " holds the bytes of block "
                            + block.getLong(0));
                }
                total += n;
                if (r < 0 || n < blockBytes) {
                    break;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (total != expectedBytes) {
            throw new IOException(file + ": read " + total + " bytes, expected " + expectedBytes);
        }
        return seconds;
    }
}
