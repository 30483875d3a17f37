package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel passthrough: with the engine's files on disk, data moves between the application and the
 * backing file without READ or WRITE requests reaching the daemon; switched off, the same workload
 * goes through the daemon and gives the same bytes.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PassthroughTest {
    private static final int LARGE_BYTES = 64 * 1024 * 1024;

    @TempDir
    Path mnt;
    @TempDir
    Path backing;
    @TempDir
    Path local;
    Path source;

    @BeforeEach
    void makeSource() throws Exception {
        MountFixture.assumeMountable();
        source = local.resolve("source.bin");
        byte[] chunk = new byte[1 << 20];
        Random r = new Random(99);
        try (var out = Files.newOutputStream(source)) {
            for (int i = 0; i < LARGE_BYTES / chunk.length; i++) {
                r.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    @AfterEach
    void noMountLeft() {
        assertThat(MountTable.at(mnt)).isEmpty();
    }

    private MountFixture mount(FuseConfig.Toggle passthrough) throws Exception {
        return MountFixture.mount(mnt, new MemFs(backing), MountFixture.config(mnt).withPassthrough(passthrough));
    }

    @Test
    void largeFileReadsAndWritesBypassTheDaemon() throws Exception {
        try (MountFixture m = mount(FuseConfig.Toggle.ON)) {
            assertThat(m.session.passthroughActive()).isTrue();
            Path f = m.path("large.bin");
            MountFixture.Result dd = MountFixture.run("dd", "if=" + source, "of=" + f, "bs=1M", "status=none");
            assertThat(dd.exit()).as(dd.output()).isZero();
            // After passthrough writes the kernel drops its cached size and mtime and asks GETATTR,
            // which the engine answers from the backing file.
            assertThat(MountFixture.run("stat", "-c", "%s", f.toString()).output().strip())
                    .isEqualTo(Integer.toString(LARGE_BYTES));
            assertThat(MountFixture.run("cmp", source.toString(), f.toString()).exit()).isZero();
            assertThat(Files.mismatch(source, backing.resolve(Long.toString(inode(f))))).isEqualTo(-1);

            assertThat(m.session.requests(Proto.WRITE)).isZero();
            assertThat(m.session.requests(Proto.READ)).isZero();
            assertThat(m.fs.writes.sum()).isZero();
            assertThat(m.fs.reads.sum()).isZero();
            assertThat(MountFixture.eventually(m.session::passthroughTrackedHandles, 0)).isZero();
        }
    }

    @Test
    void mmapGoesToTheBackingFile() throws Exception {
        try (MountFixture m = mount(FuseConfig.Toggle.ON)) {
            Path f = m.path("mapped");
            Files.write(f, new byte[8192]);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
                map.put(4096, "mapped!".getBytes(StandardCharsets.US_ASCII));
                map.force();
            }
            byte[] onDisk = Files.readAllBytes(backing.resolve(Long.toString(inode(f))));
            assertThat(new String(onDisk, 4096, 7, StandardCharsets.US_ASCII)).isEqualTo("mapped!");
            assertThat(m.session.requests(Proto.READ) + m.session.requests(Proto.WRITE)).isZero();
        }
    }

    @Test
    void handlesOfOneInodeShareOneBackingFile() throws Exception {
        try (MountFixture m = mount(FuseConfig.Toggle.ON)) {
            Path f = m.path("shared");
            Files.writeString(f, "0123456789");
            try (RandomAccessFile a = new RandomAccessFile(f.toFile(), "rw");
                    RandomAccessFile b = new RandomAccessFile(f.toFile(), "r")) {
                a.seek(10);
                a.write("abc".getBytes(StandardCharsets.US_ASCII));
                byte[] got = new byte[13];
                b.readFully(got);
                assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("0123456789abc");
                assertThat(m.session.passthroughTrackedHandles()).isEqualTo(2);
            }
            assertThat(MountFixture.eventually(m.session::passthroughTrackedHandles, 0)).isZero();
            assertThat(m.session.requests(Proto.READ) + m.session.requests(Proto.WRITE)).isZero();
        }
    }

    @Test
    void fallsBackToTheDaemonWhenPassthroughIsOff() throws Exception {
        try (MountFixture m = mount(FuseConfig.Toggle.OFF)) {
            assertThat(m.session.passthroughActive()).isFalse();
            Path f = m.path("large.bin");
            MountFixture.Result dd = MountFixture.run("dd", "if=" + source, "of=" + f, "bs=1M", "status=none");
            assertThat(dd.exit()).as(dd.output()).isZero();
            assertThat(MountFixture.run("cmp", source.toString(), f.toString()).exit()).isZero();
            assertThat(m.session.requests(Proto.WRITE)).isGreaterThanOrEqualTo(LARGE_BYTES / (1 << 20));
            assertThat(m.session.requests(Proto.READ)).isPositive();
            assertThat(m.fs.writes.sum()).isEqualTo(m.session.requests(Proto.WRITE));
            ByteBuffer head = ByteBuffer.allocate(16);
            try (FileChannel ch = FileChannel.open(f)) {
                ch.read(head, 0);
            }
            assertThat(head.array()).isEqualTo(java.util.Arrays.copyOf(Files.readAllBytes(source), 16));
        }
    }

    private static long inode(Path p) throws Exception {
        return (Long) Files.getAttribute(p, "unix:ino");
    }
}
