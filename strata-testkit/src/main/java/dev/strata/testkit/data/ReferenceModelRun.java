package dev.strata.testkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * Random operations applied to a {@link LocalFile} and to a byte array, compared after every step.
 * Offsets stay below {@link #MODEL_BYTES} so the model is a plain array; the seed and the step are
 * in every failure message so a failure replays exactly.
 */
final class ReferenceModelRun {
    static final int MAX_OFFSET = 1 << 20;
    static final int MAX_LENGTH = 64 * 1024;
    static final int MODEL_BYTES = MAX_OFFSET + MAX_LENGTH;

    private final LocalFile file;
    private final long seed;
    private final Random random;
    private final byte[] model = new byte[MODEL_BYTES];
    private int sizeBytes;
    private String step = "start";

    ReferenceModelRun(LocalFile file, long seed) {
        this.file = file;
        this.seed = seed;
        this.random = new Random(seed);
    }

    void run(int steps) throws FsException {
        for (int i = 0; i < steps; i++) {
            int dice = random.nextInt(100);
            if (dice < 40) {
                write(i);
            } else if (dice < 60) {
                readAndCompare(i);
            } else if (dice < 68) {
                truncate(i);
            } else if (dice < 78) {
                punchHole(i);
            } else if (dice < 88) {
                zeroRange(i);
            } else if (dice < 96) {
                copyWithinFile(i);
            } else {
                file.sync(random.nextBoolean());
                step = i + ": sync";
            }
            assertThat(file.stat().sizeBytes()).as(where()).isEqualTo(sizeBytes);
        }
        compareAll();
    }

    private void write(int i) throws FsException {
        int offset = random.nextInt(MAX_OFFSET);
        byte[] bytes = new byte[1 + random.nextInt(MAX_LENGTH)];
        random.nextBytes(bytes);
        step = i + ": write " + bytes.length + " at " + offset;
        try (Arena arena = Arena.ofConfined()) {
            file.write(offset, segmentOf(arena, bytes));
        }
        System.arraycopy(bytes, 0, model, offset, bytes.length);
        sizeBytes = Math.max(sizeBytes, offset + bytes.length);
    }

    private void readAndCompare(int i) throws FsException {
        int offset = random.nextInt(sizeBytes + 4096);
        int length = 1 + random.nextInt(MAX_LENGTH);
        step = i + ": read " + length + " at " + offset;
        byte[] got = read(offset, length);
        int expected = Math.max(0, Math.min(length, sizeBytes - offset));
        assertThat(got.length).as(where()).isEqualTo(expected);
        assertThat(got).as(where()).isEqualTo(Arrays.copyOfRange(model, offset, offset + expected));
    }

    private void truncate(int i) throws FsException {
        int newSize = random.nextInt(MODEL_BYTES + 1);
        step = i + ": truncate to " + newSize;
        file.truncate(newSize);
        if (newSize < sizeBytes) {
            Arrays.fill(model, newSize, sizeBytes, (byte) 0);
        }
        sizeBytes = newSize;
    }

    private void punchHole(int i) throws FsException {
        int offset = random.nextInt(MAX_OFFSET);
        int length = 1 + random.nextInt(MAX_LENGTH);
        step = i + ": punch " + length + " at " + offset;
        file.allocate(LocalFile.FALLOC_PUNCH_HOLE | LocalFile.FALLOC_KEEP_SIZE, offset, length);
        zeroModel(offset, offset + length);
    }

    private void zeroRange(int i) throws FsException {
        int offset = random.nextInt(MAX_OFFSET);
        int length = 1 + random.nextInt(MAX_LENGTH);
        boolean keepSize = random.nextBoolean();
        step = i + ": zero range " + length + " at " + offset + (keepSize ? " keeping size" : "");
        file.allocate(LocalFile.FALLOC_ZERO_RANGE | (keepSize ? LocalFile.FALLOC_KEEP_SIZE : 0), offset, length);
        zeroModel(offset, offset + length);
        if (!keepSize) {
            sizeBytes = Math.max(sizeBytes, offset + length);
        }
    }

    private void copyWithinFile(int i) throws FsException {
        int src = random.nextInt(MAX_OFFSET);
        int dst = random.nextInt(MAX_OFFSET);
        int length = 1 + random.nextInt(MAX_LENGTH);
        int count = Math.max(0, Math.min(length, sizeBytes - src));
        step = i + ": copy " + length + " from " + src + " to " + dst + " (" + count + " before EOF)";
        if (count > 0 && dst < src + count && src < dst + count) {
            assertThatThrownBy(() -> file.copyTo(src, file, dst, length)).as(where())
                    .isInstanceOf(FsException.InvalidArgument.class);
            return;
        }
        assertThat(file.copyTo(src, file, dst, length)).as(where()).isEqualTo(count);
        System.arraycopy(model, src, model, dst, count);
        if (count > 0) {
            sizeBytes = Math.max(sizeBytes, dst + count);
        }
    }

    private void compareAll() throws FsException {
        step = "final comparison";
        assertThat(read(0, sizeBytes + 1)).as(where()).isEqualTo(Arrays.copyOf(model, sizeBytes));
    }

    private void zeroModel(int from, int to) {
        int end = Math.min(to, sizeBytes);
        if (from < end) {
            Arrays.fill(model, from, end, (byte) 0);
        }
    }

    /** Alternates heap and native segments: implementations must take both. */
    private byte[] read(int offset, int length) throws FsException {
        if (random.nextBoolean()) {
            byte[] buf = new byte[length];
            int n = file.read(offset, MemorySegment.ofArray(buf));
            return Arrays.copyOf(buf, n);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(length);
            int n = file.read(offset, buf);
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private MemorySegment segmentOf(Arena arena, byte[] bytes) {
        if (random.nextBoolean()) {
            return MemorySegment.ofArray(bytes);
        }
        MemorySegment s = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    private String where() {
        return "seed " + seed + ", step " + step + ", size " + sizeBytes;
    }
}
