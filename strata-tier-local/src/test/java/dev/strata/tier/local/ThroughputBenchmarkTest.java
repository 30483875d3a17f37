package dev.strata.tier.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.core.data.LocalFile;
import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sequential throughput of {@link LocalDiskDataStore} against a plain {@link FileChannel} on the
 * same disk in the same run, for quoting the ratio; nothing is asserted. Skipped unless asked:
 * <pre>
 *   ./mvnw -B -q -pl strata-tier-local -am verify -Dstrata.bench=true \
 *       -Dtest=ThroughputBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false
 *   cat strata-tier-local/target/throughput.txt
 * </pre>
 * Options: {@code -Dstrata.bench.dir=DIR} (default java.io.tmpdir), {@code -Dstrata.bench.mib=N}
 * (file size, default 1024), {@code -Dstrata.bench.rounds=N} (default 3; the median is reported).
 *
 * <p>Each round, per implementation: write the file in 1 MiB blocks and fdatasync once (time
 * includes the sync); write a quarter of it again with an fdatasync after every block (a
 * checkpoint writer that needs each block durable); drop the file's pages with
 * posix_fadvise(DONTNEED) and read it cold; read it again warm, from the page cache. The order of
 * the two implementations alternates between rounds; last, read the first 256 MiB warm in 4 KiB
 * calls, which measures the cost of a call rather than of the disk. "Cold" means cold in this VM: the host may
 * still cache the virtual disk.
 */
class ThroughputBenchmarkTest {
    private static final int BLOCK_BYTES = 1 << 20;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final MethodHandle FADVISE = Libc.bind("posix_fadvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    /** Small calls show the per-call cost (FFM downcall, errno capture, fd guard) rather than the disk's. */
    private static final int SMALL_BLOCK_BYTES = 4096;
    private static final long SMALL_READ_BYTES = 256L << 20;
    private static final List<String> METRICS =
            List.of("write+fdatasync", "write, fdatasync each", "read cold", "read warm", "read warm 4 KiB calls");

    @Test
    void compareWithFileChannel() throws Throwable {
        assumeTrue(Boolean.getBoolean("strata.bench"), "benchmark: run with -Dstrata.bench=true");
        Path dir = Path.of(System.getProperty("strata.bench.dir", System.getProperty("java.io.tmpdir")));
        int mib = Integer.getInteger("strata.bench.mib", 1024);
        int rounds = Integer.getInteger("strata.bench.rounds", 3);
        String report = run(Files.createTempDirectory(dir, "strata-bench"), mib, rounds);
        System.out.println(report);
        Files.writeString(Path.of("target", "throughput.txt"), report);
    }

    public static void main(String[] args) throws Throwable {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        System.out.println(run(Files.createTempDirectory(dir, "strata-bench"), args.length > 1 ? Integer.parseInt(args[1]) : 1024, 3));
    }

    static String run(Path dir, int mib, int rounds) throws Throwable {
        long fileBytes = (long) mib * BLOCK_BYTES;
        Map<String, List<Double>> store = new LinkedHashMap<>();
        Map<String, List<Double>> channel = new LinkedHashMap<>();
        try (Arena arena = Arena.ofShared();
                LocalDiskDataStore data = LocalDiskDataStore.open(Files.createDirectories(dir.resolve("store")))) {
            MemorySegment block = arena.allocate(BLOCK_BYTES, 4096);
            byte[] random = new byte[BLOCK_BYTES];
            new Random(42).nextBytes(random);
            MemorySegment.copy(random, 0, block, ValueLayout.JAVA_BYTE, 0, BLOCK_BYTES);
            for (int round = 0; round < rounds; round++) {
                if (round % 2 == 0) {
                    addAll(store, storeRound(data, round + 1, block, fileBytes));
                    addAll(channel, channelRound(dir.resolve("channel-" + round), block, fileBytes));
                } else {
                    addAll(channel, channelRound(dir.resolve("channel-" + round), block, fileBytes));
                    addAll(store, storeRound(data, round + 1, block, fileBytes));
                }
            }
        } finally {
            deleteTree(dir);
        }
        return format(dir, mib, rounds, store, channel);
    }

    private static double[] storeRound(LocalDiskDataStore data, long ino, MemorySegment block, long fileBytes) throws Throwable {
        double[] mibPerSecond = new double[METRICS.size()];
        try (LocalFile f = data.open(ino)) {
            long t = System.nanoTime();
            for (long off = 0; off < fileBytes; off += BLOCK_BYTES) {
                f.write(off, block);
            }
            f.sync(true);
            mibPerSecond[0] = rate(fileBytes, t);
            t = System.nanoTime();
            for (long off = 0; off < fileBytes / 4; off += BLOCK_BYTES) {
                f.write(off, block);
                f.sync(true);
            }
            mibPerSecond[1] = rate(fileBytes / 4, t);
            dropPageCache(f.nativeFd());
            for (int pass = 2; pass <= 3; pass++) {
                t = System.nanoTime();
                for (long off = 0; off < fileBytes; off += BLOCK_BYTES) {
                    f.read(off, block);
                }
                mibPerSecond[pass] = rate(fileBytes, t);
            }
            MemorySegment small = block.asSlice(0, SMALL_BLOCK_BYTES);
            long smallBytes = Math.min(SMALL_READ_BYTES, fileBytes);
            t = System.nanoTime();
            for (long off = 0; off < smallBytes; off += SMALL_BLOCK_BYTES) {
                f.read(off, small);
            }
            mibPerSecond[4] = rate(smallBytes, t);
        }
        data.delete(ino);
        return mibPerSecond;
    }

    private static double[] channelRound(Path file, MemorySegment block, long fileBytes) throws Throwable {
        double[] mibPerSecond = new double[METRICS.size()];
        ByteBuffer buf = block.asByteBuffer();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long t = System.nanoTime();
            for (long off = 0; off < fileBytes; off += BLOCK_BYTES) {
                writeFully(ch, buf, off);
            }
            ch.force(false);
            mibPerSecond[0] = rate(fileBytes, t);
            t = System.nanoTime();
            for (long off = 0; off < fileBytes / 4; off += BLOCK_BYTES) {
                writeFully(ch, buf, off);
                ch.force(false);
            }
            mibPerSecond[1] = rate(fileBytes / 4, t);
            int fd = Libc.open(file, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            try {
                dropPageCache(fd);
            } finally {
                Libc.close(fd);
            }
            for (int pass = 2; pass <= 3; pass++) {
                t = System.nanoTime();
                for (long off = 0; off < fileBytes; off += BLOCK_BYTES) {
                    buf.clear();
                    while (buf.hasRemaining() && ch.read(buf, off + buf.position()) > 0) {
                        // FileChannel may return short reads; the store's read loops itself.
                    }
                }
                mibPerSecond[pass] = rate(fileBytes, t);
            }
            ByteBuffer small = block.asSlice(0, SMALL_BLOCK_BYTES).asByteBuffer();
            long smallBytes = Math.min(SMALL_READ_BYTES, fileBytes);
            t = System.nanoTime();
            for (long off = 0; off < smallBytes; off += SMALL_BLOCK_BYTES) {
                small.clear();
                while (small.hasRemaining() && ch.read(small, off + small.position()) > 0) {
                    // as above
                }
            }
            mibPerSecond[4] = rate(smallBytes, t);
        }
        Files.delete(file);
        return mibPerSecond;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long offset) throws IOException {
        buf.clear();
        while (buf.hasRemaining()) {
            ch.write(buf, offset + buf.position());
        }
    }

    private static void dropPageCache(int fd) throws Throwable {
        int r = (int) FADVISE.invokeExact(Libc.captureSegment(), fd, 0L, 0L, POSIX_FADV_DONTNEED);
        if (r != 0) {
            throw new IOException("posix_fadvise(DONTNEED) failed: errno " + r);
        }
    }

    private static double rate(long bytes, long startNanos) {
        return bytes / (double) BLOCK_BYTES / ((System.nanoTime() - startNanos) / 1e9);
    }

    private static void addAll(Map<String, List<Double>> into, double[] values) {
        for (int i = 0; i < values.length; i++) {
            into.computeIfAbsent(METRICS.get(i), k -> new ArrayList<>()).add(values[i]);
        }
    }

    private static String format(Path dir, int mib, int rounds, Map<String, List<Double>> store,
            Map<String, List<Double>> channel) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Sequential 1 MiB blocks, %d MiB file, %d rounds (median; all rounds in brackets), on %s (%s)%n",
                mib, rounds, dir.getParent(), Files.getFileStore(dir.getParent()).type()));
        out.append(String.format("%-24s %26s %26s %7s%n", "MiB/s", "LocalDiskDataStore", "FileChannel", "ratio"));
        for (String metric : METRICS) {
            double s = median(store.get(metric));
            double c = median(channel.get(metric));
            out.append(String.format("%-24s %8.0f %-17s %8.0f %-17s %7.2f%n", metric, s, rounded(store.get(metric)), c,
                    rounded(channel.get(metric)), s / c));
        }
        return out.toString();
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String rounded(List<Double> values) {
        return Arrays.toString(values.stream().mapToLong(Math::round).toArray());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
