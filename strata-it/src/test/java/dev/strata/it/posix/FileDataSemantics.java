package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * File data on a real mount, through ordinary system calls: random reads and writes, holes,
 * truncate, O_APPEND/O_EXCL/O_TRUNC, files past 8 GiB, copy_file_range, fallocate, open-but-unlinked
 * files and shared mmap. Each subclass runs all of it on a mount configured one way (FUSE
 * passthrough on, or off with the kernel's writeback cache), so the same assertions hold for both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FileDataSemantics {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final long GIB = 1024L * MIB;

    Path local;

    PosixMount mount;

    /** Extra arguments of {@code strata mount} for this variant. */
    abstract String[] mountArgs();

    /** Whether this variant's server must report FUSE passthrough as active. */
    abstract boolean passthrough();

    /**
     * Whether SEEK_DATA/SEEK_HOLE find holes inside a file. Not with the kernel's writeback cache
     * (passthrough off): there the kernel's generic rule answers (see FileOps.lseek in strata-fuse).
     */
    boolean seekFindsHoles() {
        return passthrough();
    }

    @BeforeAll
    void mount() throws IOException {
        mount = PosixMount.start(mountArgs());
        local = Files.createDirectory(mount.work().resolve("local"));
    }

    @AfterAll
    void unmount() {
        if (mount != null) {
            mount.close();
        }
    }

    Path dir(TestInfo info) throws IOException {
        return mount.fresh(info.getTestMethod().orElseThrow().getName());
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void theServerRunsInTheIntendedMode() {
        String mode = passthrough() ? "passthrough on" : "passthrough off";
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(mount.process().logText()).contains(mode));
    }

    @Test
    void randomOperationsMatchAFileOnALocalDisk(TestInfo info) throws IOException {
        Path onMount = dir(info).resolve("f");
        Path model = local.resolve("model");
        Random rnd = new Random(42);
        int maxSize = 3 * MIB;
        try (FileChannel m = FileChannel.open(onMount, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
                FileChannel l = FileChannel.open(model, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
            for (int step = 0; step < 300; step++) {
                int op = rnd.nextInt(10);
                String what;
                if (op < 6) {
                    long at = rnd.nextInt(maxSize);
                    byte[] data = random(rnd.nextLong(), 1 + rnd.nextInt(128 * KIB));
                    what = "pwrite " + data.length + " at " + at;
                    writeFully(m, data, at);
                    writeFully(l, data, at);
                } else if (op < 8) {
                    long size = rnd.nextInt(maxSize);
                    what = "ftruncate " + size;
                    m.truncate(size);
                    l.truncate(size);
                    // FileChannel.truncate only shrinks; grow with a zero-length-free write of nothing.
                    if (m.size() < size) {
                        growTo(m, size);
                        growTo(l, size);
                    }
                } else {
                    long at = rnd.nextInt(maxSize);
                    int len = 1 + rnd.nextInt(256 * KIB);
                    what = "pread " + len + " at " + at;
                    assertThat(readAt(m, at, len)).as(what).isEqualTo(readAt(l, at, len));
                }
                assertThat(m.size()).as("size after step %d (%s)", step, what).isEqualTo(l.size());
                if (step % 25 == 24) {
                    assertThat(readAt(m, 0, (int) l.size())).as("contents after step %d", step)
                            .isEqualTo(readAt(l, 0, (int) l.size()));
                }
            }
        }
        assertThat(Files.readAllBytes(onMount)).isEqualTo(Files.readAllBytes(model));
    }

    private static void growTo(FileChannel c, long size) throws IOException {
        // FileChannel has no way to extend without writing; a one-byte write of zero at size-1 extends.
        writeFully(c, new byte[1], size - 1);
    }

    private static void writeFully(FileChannel c, byte[] data, long at) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            c.write(b, at + b.position());
        }
    }

    private static byte[] readAt(FileChannel c, long at, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (c.read(b, at + b.position()) < 0) {
                break;
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void holesReadAsZeroesAndSeekDataSeekHoleFindThem(TestInfo info) throws IOException {
        Path f = dir(info).resolve("sparse");
        byte[] a = random(1, 4 * KIB);
        byte[] b = random(2, 4 * KIB);
        int fd = Posix.open(f, Libc.O_CREAT | Libc.O_RDWR, 0644);
        try {
            Posix.pwrite(fd, a, 0);
            Posix.pwrite(fd, b, MIB);
            Libc.ftruncate(fd, 2 * MIB);
            Libc.fsync(fd);
            assertThat(Posix.lseek(fd, 0, Libc.SEEK_DATA)).isZero();
            if (seekFindsHoles()) {
                long firstHole = Posix.lseek(fd, 0, Libc.SEEK_HOLE);
                assertThat(firstHole).isBetween(4L * KIB, (long) MIB);
                assertThat(Posix.lseek(fd, 8 * KIB, Libc.SEEK_DATA)).isEqualTo(MIB);
                long secondHole = Posix.lseek(fd, MIB, Libc.SEEK_HOLE);
                assertThat(secondHole).isBetween((long) MIB + 4 * KIB, 2L * MIB);
                assertErrno(Posix.ENXIO, () -> Posix.lseek(fd, 2L * MIB - 1, Libc.SEEK_DATA));
                // Inside a hole, SEEK_HOLE stays where it is.
                assertThat(Posix.lseek(fd, 2L * MIB - 10, Libc.SEEK_HOLE)).isEqualTo(2L * MIB - 10);
            } else {
                // The generic rule: all of the file is data, the one hole is at its end.
                assertThat(Posix.lseek(fd, 0, Libc.SEEK_HOLE)).isEqualTo(2L * MIB);
                assertThat(Posix.lseek(fd, 8 * KIB, Libc.SEEK_DATA)).isEqualTo(8L * KIB);
                assertThat(Posix.lseek(fd, 2L * MIB - 10, Libc.SEEK_HOLE)).isEqualTo(2L * MIB);
            }
            assertErrno(Posix.ENXIO, () -> Posix.lseek(fd, 2L * MIB, Libc.SEEK_DATA));
            assertErrno(Posix.ENXIO, () -> Posix.lseek(fd, 2L * MIB, Libc.SEEK_HOLE));
            assertThat(Posix.pread(fd, 4 * KIB, 8 * KIB)).containsOnly(0);
            assertThat(Posix.pread(fd, MIB, 4 * KIB)).isEqualTo(b);
            assertThat(Posix.pread(fd, 0, 4 * KIB)).isEqualTo(a);
            Libc.Statx st = Libc.fstat(fd);
            assertThat(st.size()).isEqualTo(2L * MIB);
            assertThat(st.blocks() * 512).as("allocated bytes of a 2 MiB file holding 8 KiB")
                    .isLessThan(MIB);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void truncateDownDropsBytesAndTruncateUpAddsZeroes(TestInfo info) throws IOException {
        Path f = dir(info).resolve("t");
        byte[] data = random(3, 10_000);
        Files.write(f, data);
        Posix.truncate(f, 3000);
        assertThat(Files.size(f)).isEqualTo(3000);
        assertThat(Files.readAllBytes(f)).isEqualTo(Arrays.copyOf(data, 3000));
        Posix.truncate(f, 9000);
        byte[] grown = Files.readAllBytes(f);
        assertThat(grown).hasSize(9000);
        assertThat(Arrays.copyOf(grown, 3000)).isEqualTo(Arrays.copyOf(data, 3000));
        assertThat(Arrays.copyOfRange(grown, 3000, 9000)).containsOnly(0);
        int fd = Posix.open(f, Libc.O_RDWR, 0);
        try {
            Libc.ftruncate(fd, 0);
            assertThat(Libc.fstat(fd).size()).isZero();
            Libc.ftruncate(fd, 5 * MIB + 7);
            assertThat(Libc.fstat(fd).size()).isEqualTo(5L * MIB + 7);
            assertThat(Posix.pread(fd, 5 * MIB, 100)).hasSize(7).containsOnly(0);
        } finally {
            Libc.close(fd);
        }
        assertThat(Files.size(f)).isEqualTo(5L * MIB + 7);
    }

    @Test
    void appendingWritesAlwaysLandAtTheCurrentEnd(TestInfo info) throws IOException {
        Path f = dir(info).resolve("log");
        Files.write(f, new byte[100]);
        int a = Posix.open(f, Libc.O_WRONLY | Libc.O_APPEND, 0);
        int b = Posix.open(f, Libc.O_WRONLY | Libc.O_APPEND, 0);
        int plain = Posix.open(f, Libc.O_RDWR, 0);
        try {
            Posix.lseek(a, 0, Libc.SEEK_SET);
            Posix.write(a, "A1".getBytes());
            Posix.write(b, "B1".getBytes());
            // Another descriptor extends the file; the appenders follow the new end.
            Posix.pwrite(plain, "XYZ".getBytes(), 200);
            Posix.write(a, "A2".getBytes());
            for (int i = 0; i < 50; i++) {
                Posix.write(i % 2 == 0 ? a : b, String.format("%03d", i).getBytes());
            }
        } finally {
            Libc.close(a);
            Libc.close(b);
            Libc.close(plain);
        }
        byte[] all = Files.readAllBytes(f);
        assertThat(all).hasSize(203 + 2 + 50 * 3);
        assertThat(new String(all, 100, 4)).isEqualTo("A1B1");
        assertThat(new String(all, 200, 5)).isEqualTo("XYZA2");
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            want.append(String.format("%03d", i));
        }
        assertThat(new String(all, 205, 150)).isEqualTo(want.toString());
    }

    @Test
    void descriptorsOnlyDoWhatTheyWereOpenedFor(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "data");
        int ro = Posix.open(f, Libc.O_RDONLY, 0);
        int wo = Posix.open(f, Libc.O_WRONLY, 0);
        try {
            assertErrno(Posix.EBADF, () -> Posix.pwrite(ro, "x".getBytes(), 0));
            assertErrno(Posix.EINVAL, () -> Libc.ftruncate(ro, 0));
            assertErrno(Posix.EBADF, () -> Posix.pread(wo, 0, 4));
            assertErrno(Posix.EBADF, () -> Libc.fallocate(ro, 0, 0, 4096));
        } finally {
            Libc.close(ro);
            Libc.close(wo);
        }
        assertThat(Files.readString(f)).isEqualTo("data");
    }

    @Test
    void writesAndTruncatesBeyondTheLargestFileSizeFailWithEfbig(TestInfo info) throws IOException {
        // Strata's limit is 16 TiB (FsOptions.DEFAULT_MAX_FILE_SIZE), ext4's with 4 KiB blocks too.
        Path f = dir(info).resolve("f");
        Files.writeString(f, "data");
        long beyond = (1L << 44) + 4096;
        int fd = Posix.open(f, Libc.O_RDWR, 0);
        try {
            assertErrno(Posix.EFBIG, () -> Libc.ftruncate(fd, beyond));
            assertErrno(Posix.EFBIG, () -> {
                Posix.pwrite(fd, "x".getBytes(), beyond);
                Libc.fsync(fd);
            });
            if (passthrough()) {
                assertThat(Libc.fstat(fd).size()).isEqualTo(4);
            }
            // With the writeback cache the kernel takes the write into its page cache (FUSE mounts
            // have no per-file-system size limit in the kernel) and the error comes at fsync; until
            // the cache is dropped the kernel reports the size the write would have made.
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void rangeOperationsSeeDataNotYetWrittenBack(TestInfo info) throws IOException {
        // With the writeback cache, freshly written bytes may still be dirty pages in the kernel: the
        // range operations must see them anyway, as they do on a local file system.
        Path d = dir(info);
        byte[] data = random(11, 256 * KIB);
        int fd = Posix.open(d.resolve("src"), Libc.O_CREAT | Libc.O_RDWR, 0644);
        int out = Posix.open(d.resolve("dst"), Libc.O_CREAT | Libc.O_RDWR, 0644);
        try {
            Libc.ftruncate(fd, 4 * MIB);
            Posix.pwrite(fd, data, 2 * MIB);
            assertThat(Posix.lseek(fd, 0, Libc.SEEK_DATA)).as("SEEK_DATA").isEqualTo(seekFindsHoles() ? 2L * MIB : 0);
            assertThat(Posix.lseek(fd, 2 * MIB, Libc.SEEK_HOLE)).as("SEEK_HOLE")
                    .isEqualTo(seekFindsHoles() ? 2L * MIB + data.length : 4L * MIB);
            long copied = Libc.copyFileRange(fd, 2 * MIB, out, 0, data.length);
            assertThat(copied).isEqualTo(data.length);
            assertThat(Posix.pread(out, 0, data.length)).as("copy_file_range").isEqualTo(data);
            Posix.pwrite(fd, data, 0);
            Libc.fallocate(fd, Posix.FALLOC_FL_PUNCH_HOLE | Posix.FALLOC_FL_KEEP_SIZE, 4 * KIB, 8 * KIB);
            byte[] want = data.clone();
            Arrays.fill(want, 4 * KIB, 12 * KIB, (byte) 0);
            assertThat(Posix.pread(fd, 0, data.length)).as("after punching a hole").isEqualTo(want);
        } finally {
            Libc.close(fd);
            Libc.close(out);
        }
        assertThat(Files.readAllBytes(d.resolve("dst"))).isEqualTo(data);
    }

    @Test
    void exclusiveCreateFailsWhenTheNameExists(TestInfo info) throws IOException {
        Path d = dir(info);
        Path f = d.resolve("x");
        int fd = Posix.open(f, Libc.O_CREAT | Libc.O_EXCL | Libc.O_WRONLY, 0600);
        Libc.close(fd);
        assertErrno(Posix.EEXIST, () -> Posix.open(f, Libc.O_CREAT | Libc.O_EXCL | Libc.O_WRONLY, 0600));
        Files.createDirectory(d.resolve("sub"));
        assertErrno(Posix.EEXIST, () -> Posix.open(d.resolve("sub"), Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDONLY, 0600));
        // O_EXCL does not follow a symlink, even a dangling one.
        Posix.symlink("nowhere", d.resolve("dangling"));
        assertErrno(Posix.EEXIST, () -> Posix.open(d.resolve("dangling"), Libc.O_CREAT | Libc.O_EXCL | Libc.O_WRONLY,
                0600));
        assertThat(Files.exists(d.resolve("nowhere"))).isFalse();
        // Without O_EXCL, O_CREAT through a dangling symlink creates its target.
        Libc.close(Posix.open(d.resolve("dangling"), Libc.O_CREAT | Libc.O_WRONLY, 0600));
        assertThat(Files.isRegularFile(d.resolve("nowhere"))).isTrue();
    }

    @Test
    void truncatingOpenEmptiesTheFile(TestInfo info) throws IOException {
        Path f = dir(info).resolve("t");
        Files.write(f, random(4, 50_000));
        int fd = Posix.open(f, Libc.O_WRONLY | Libc.O_TRUNC, 0);
        try {
            assertThat(Libc.fstat(fd).size()).isZero();
            Posix.write(fd, "new".getBytes());
        } finally {
            Libc.close(fd);
        }
        assertThat(Files.readString(f)).isEqualTo("new");
        // O_TRUNC|O_CREAT on an existing name truncates too.
        Libc.close(Posix.open(f, Libc.O_CREAT | Libc.O_WRONLY | Libc.O_TRUNC, 0644));
        assertThat(Files.size(f)).isZero();
    }

    @Test
    void sparseFilesLargerThan8GiBWork(TestInfo info) throws IOException {
        Path f = dir(info).resolve("big");
        long at = 9 * GIB;
        byte[] tail = random(5, 4 * KIB);
        int fd = Posix.open(f, Libc.O_CREAT | Libc.O_RDWR, 0644);
        try {
            Posix.pwrite(fd, "head".getBytes(), 0);
            Posix.pwrite(fd, tail, at);
            assertThat(Libc.fstat(fd).size()).isEqualTo(at + tail.length);
            assertThat(Posix.pread(fd, at, tail.length)).isEqualTo(tail);
            assertThat(Posix.pread(fd, 8 * GIB + 12345, 4096)).containsOnly(0);
            Libc.fsync(fd);
            assertThat(Posix.lseek(fd, 4096, Libc.SEEK_DATA)).isEqualTo(seekFindsHoles() ? at : 4096);
            Libc.ftruncate(fd, 12 * GIB);
            assertThat(Posix.pread(fd, 12 * GIB - 10, 100)).hasSize(10).containsOnly(0);
        } finally {
            Libc.close(fd);
        }
        Libc.Statx st = Libc.stat(f, false);
        assertThat(st.size()).isEqualTo(12 * GIB);
        assertThat(st.blocks() * 512).as("allocated bytes").isLessThan(MIB);
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
            assertThat(readAt(c, at, tail.length)).isEqualTo(tail);
            assertThat(readAt(c, 0, 4)).isEqualTo("head".getBytes());
        }
    }

    @Test
    void copyFileRangeCopiesBytesBetweenFiles(TestInfo info) throws IOException {
        Path d = dir(info);
        byte[] src = random(6, 3 * MIB);
        Files.write(d.resolve("src"), src);
        Files.write(d.resolve("dst"), "0123456789".getBytes());
        int in = Posix.open(d.resolve("src"), Libc.O_RDONLY, 0);
        int out = Posix.open(d.resolve("dst"), Libc.O_WRONLY, 0);
        try {
            long done = 0;
            for (int i = 0; i < 100 && done < MIB; i++) {
                long n = Libc.copyFileRange(in, 512 * KIB + done, out, 5 + done, MIB - done);
                assertThat(n).isPositive();
                done += n;
            }
            assertThat(done).isEqualTo(MIB);
            assertThat(Libc.copyFileRange(in, src.length, out, 0, 100)).as("copy from the end of the source").isZero();
        } finally {
            Libc.close(in);
            Libc.close(out);
        }
        byte[] got = Files.readAllBytes(d.resolve("dst"));
        assertThat(got).hasSize(5 + MIB);
        assertThat(new String(got, 0, 5)).isEqualTo("01234");
        assertThat(Arrays.copyOfRange(got, 5, 5 + MIB)).isEqualTo(Arrays.copyOfRange(src, 512 * KIB, 512 * KIB + MIB));
        assertThat(Files.readAllBytes(d.resolve("src"))).isEqualTo(src);
    }

    @Test
    void fallocatePreallocatesPunchesHolesAndKeepsSize(TestInfo info) throws IOException {
        Path f = dir(info).resolve("fa");
        int fd = Posix.open(f, Libc.O_CREAT | Libc.O_RDWR, 0644);
        try {
            Libc.fallocate(fd, 0, 0, 4 * MIB);
            Libc.Statx st = Libc.fstat(fd);
            assertThat(st.size()).isEqualTo(4L * MIB);
            assertThat(st.blocks() * 512).isGreaterThanOrEqualTo(4L * MIB);
            assertThat(Posix.pread(fd, 0, 4 * MIB)).containsOnly(0);

            Libc.fallocate(fd, Posix.FALLOC_FL_KEEP_SIZE, 4 * MIB, 2 * MIB);
            st = Libc.fstat(fd);
            assertThat(st.size()).as("KEEP_SIZE leaves the size").isEqualTo(4L * MIB);
            assertThat(st.blocks() * 512).isGreaterThanOrEqualTo(6L * MIB);

            byte[] data = random(7, 4 * MIB);
            Posix.pwrite(fd, data, 0);
            Libc.fallocate(fd, Posix.FALLOC_FL_PUNCH_HOLE | Posix.FALLOC_FL_KEEP_SIZE, MIB, MIB);
            assertThat(Libc.fstat(fd).size()).isEqualTo(4L * MIB);
            assertThat(Posix.pread(fd, MIB, MIB)).containsOnly(0);
            assertThat(Posix.pread(fd, 0, MIB)).isEqualTo(Arrays.copyOf(data, MIB));
            assertThat(Posix.pread(fd, 2 * MIB, 2 * MIB)).isEqualTo(Arrays.copyOfRange(data, 2 * MIB, 4 * MIB));
            Libc.fsync(fd);
            if (seekFindsHoles()) {
                assertThat(Posix.lseek(fd, 0, Libc.SEEK_HOLE)).isEqualTo(MIB);
                assertThat(Posix.lseek(fd, MIB, Libc.SEEK_DATA)).isEqualTo(2L * MIB);
            }

            // Linux refuses a punch that would change the size.
            assertErrno(Posix.EOPNOTSUPP, () -> Libc.fallocate(fd, Posix.FALLOC_FL_PUNCH_HOLE, 0, 4096));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void zeroRangeZeroesBytesAndMayExtend(TestInfo info) throws IOException {
        Path f = dir(info).resolve("z");
        Files.write(f, random(8, 64 * KIB));
        int fd = Posix.open(f, Libc.O_RDWR, 0);
        try {
            Libc.fallocate(fd, Posix.FALLOC_FL_ZERO_RANGE, 4 * KIB, 8 * KIB);
            assertThat(Posix.pread(fd, 4 * KIB, 8 * KIB)).containsOnly(0);
            Libc.fallocate(fd, Posix.FALLOC_FL_ZERO_RANGE, 60 * KIB, 8 * KIB);
            assertThat(Libc.fstat(fd).size()).isEqualTo(68L * KIB);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void anOpenUnlinkedFileStaysUsableUntilItsLastClose(TestInfo info) throws Exception {
        Path d = dir(info);
        Path f = d.resolve("tmp");
        byte[] data = random(9, 8 * MIB);
        Files.write(f, data);
        long ino = Libc.stat(f, false).ino();
        Path dataFile = dataFileOf(ino);
        assertThat(dataFile).as("the fast tier holds the file's data").exists();
        int fd = Posix.open(f, Libc.O_RDWR, 0);
        try {
            Libc.unlink(f);
            assertThat(Files.exists(f)).isFalse();
            try (Stream<Path> s = Files.list(d)) {
                assertThat(s).isEmpty();
            }
            Libc.Statx st = Libc.fstat(fd);
            assertThat(st.nlink()).isZero();
            assertThat(st.size()).isEqualTo(data.length);
            assertThat(Posix.pread(fd, 0, data.length)).isEqualTo(data);
            Posix.pwrite(fd, "after unlink".getBytes(), data.length);
            assertThat(Libc.fstat(fd).size()).isEqualTo(data.length + 12L);
            assertThat(new String(Posix.pread(fd, data.length, 12))).isEqualTo("after unlink");
            // A new file of the same name is a different file.
            Files.writeString(f, "new");
            assertThat(Libc.stat(f, false).ino()).isNotEqualTo(ino);
            assertThat(dataFile).as("data of the unlinked but open file").exists();
        } finally {
            Libc.close(fd);
        }
        // The kernel sends RELEASE asynchronously after close(2).
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(dataFile).doesNotExist());
        assertThat(Files.readString(f)).isEqualTo("new");
    }

    /** Where the fast tier keeps an inode's bytes: a file named by the inode number in hex. */
    private Path dataFileOf(long ino) throws IOException {
        String name = String.format("%016x", ino);
        try (Stream<Path> s = Files.walk(mount.process().dataDir().resolve("data"), 3)) {
            return s.filter(p -> p.getFileName().toString().equals(name)).findFirst()
                    .orElse(mount.process().dataDir().resolve("data").resolve("missing-" + name));
        }
    }

    @Test
    void twoSharedMappingsSeeEachOther(TestInfo info) throws IOException {
        Path f = dir(info).resolve("m");
        Files.write(f, new byte[64 * KIB]);
        try (FileChannel c1 = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileChannel c2 = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m1 = c1.map(FileChannel.MapMode.READ_WRITE, 0, 64 * KIB);
            MappedByteBuffer m2 = c2.map(FileChannel.MapMode.READ_WRITE, 0, 64 * KIB);
            m1.put(5000, (byte) 42);
            assertThat(m2.get(5000)).isEqualTo((byte) 42);
            m2.putLong(60_000, 0x1122334455667788L);
            assertThat(m1.getLong(60_000)).isEqualTo(0x1122334455667788L);
        }
    }

    @Test
    void aMappingAndReadWriteSeeEachOther(TestInfo info) throws IOException {
        Path f = dir(info).resolve("m");
        Files.write(f, new byte[64 * KIB]);
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m = c.map(FileChannel.MapMode.READ_WRITE, 0, 64 * KIB);
            m.put(100, "mapped".getBytes());
            int fd = Posix.open(f, Libc.O_RDWR, 0);
            try {
                assertThat(new String(Posix.pread(fd, 100, 6))).as("read(2) sees a store to the mapping")
                        .isEqualTo("mapped");
                Posix.pwrite(fd, "written".getBytes(), 30_000);
                byte[] seen = new byte[7];
                m.get(30_000, seen);
                assertThat(new String(seen)).as("the mapping sees write(2)").isEqualTo("written");
            } finally {
                Libc.close(fd);
            }
            m.force();
        }
        byte[] all = Files.readAllBytes(f);
        assertThat(new String(all, 100, 6)).isEqualTo("mapped");
        assertThat(new String(all, 30_000, 7)).isEqualTo("written");
    }

    @Test
    void msyncedMappingSurvivesARemount(TestInfo info) throws IOException {
        Path f = dir(info).resolve("m");
        byte[] data = random(10, 256 * KIB);
        Files.write(f, new byte[data.length]);
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m = c.map(FileChannel.MapMode.READ_WRITE, 0, data.length);
            m.put(0, data);
            m.force();
        }
        mount.remount(mountArgs());
        assertThat(Files.readAllBytes(f)).isEqualTo(data);
    }

    interface ErrnoCall {
        void run() throws Exception;
    }

    static void assertErrno(int errno, ErrnoCall call) {
        assertThatThrownBy(call::run).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).as(e.getMessage()).isEqualTo(errno));
    }
}
