package dev.strata.hsm.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.Caller;
import dev.strata.core.Clock;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.fs.Created;
import dev.strata.core.fs.Entry;
import dev.strata.core.fs.FsOptions;
import dev.strata.core.fs.Opened;
import dev.strata.core.fs.PosixFileSystem;
import dev.strata.core.fs.StrataFs;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.hsm.MirrorAttributes;
import dev.strata.testkit.data.InMemoryDataStore;
import dev.strata.testkit.meta.InMemoryMetadataStore;
import dev.strata.testkit.store.InMemoryObjectStore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The capacity tier driven through the engine's POSIX operations, on in-memory stores. */
class HsmTieringTest {
    static final long ROOT = PosixFileSystem.ROOT;
    static final Caller ME = Caller.ROOT;
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;

    InMemoryMetadataStore meta;
    InMemoryDataStore data;
    InMemoryObjectStore bucket;
    StrataFs fs;

    @BeforeEach
    void open() throws Exception {
        meta = new InMemoryMetadataStore();
        data = new InMemoryDataStore(Clock.SYSTEM);
        bucket = new InMemoryObjectStore();
        start();
    }

    void start() throws FsException {
        HsmOptions opts = HsmOptions.defaults().withScanInterval(Duration.ofMillis(100))
                .withRootPolicy(new Policy(Policy.Durability.ASYNC, Duration.ofHours(1)));
        fs = StrataFs.open(meta, data, Clock.SYSTEM, FsOptions.defaults(0, 0), new HsmTiering(bucket, opts, new Random(1)));
    }

    @AfterEach
    void close() {
        fs.destroy();
    }

    long createWith(long parent, String name, String content) throws FsException {
        Created c = fs.create(ME, parent, Name.of(name), 0644, 022, O_RDWR);
        write(c.entry().ino(), c.opened().fh(), 0, content);
        fs.flush(c.entry().ino(), c.opened().fh(), 0);
        fs.release(c.entry().ino(), c.opened().fh());
        return c.entry().ino();
    }

    void write(long ino, long fh, long offset, String content) throws FsException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(Math.max(1, b.length));
            MemorySegment.copy(b, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
            fs.write(ino, fh, offset, seg.asSlice(0, b.length), false);
        }
    }

    String readAll(long ino) throws FsException {
        Opened o = fs.open(ME, ino, O_RDONLY);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(1 << 16);
            int n = fs.read(ino, o.fh(), 0, seg);
            return new String(seg.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } finally {
            fs.release(ino, o.fh());
        }
    }

    String xattr(long ino, String name) throws FsException {
        return new String(fs.getxattr(ino, name.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    void set(long ino, String name, String value) throws FsException {
        fs.setxattr(ME, ino, name.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0);
    }

    String state(long ino) throws FsException {
        return xattr(ino, "user.strata.hsm.state");
    }

    String object(String key) throws Exception {
        ObjectInfo info = bucket.head(key).orElseThrow();
        ByteBuffer buf = ByteBuffer.allocate((int) info.sizeBytes());
        bucket.read(key, 0, buf, null);
        return new String(buf.array(), StandardCharsets.UTF_8);
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    boolean has(String key) {
        try {
            return bucket.head(key).isPresent();
        } catch (Exception e) {
            return false;
        }
    }

    void awaitState(long ino, String s) throws InterruptedException {
        await("state " + s, () -> {
            try {
                return state(ino).equals(s);
            } catch (FsException e) {
                return false;
            }
        });
    }

    @Test
    void archiveReleaseReadRestore() throws Exception {
        long ino = createWith(ROOT, "a.txt", "hello, capacity tier");
        assertThat(state(ino)).isEqualTo("dirty");

        set(ino, "user.strata.hsm.request", "archive");
        awaitState(ino, "archived");
        assertThat(object("a.txt")).isEqualTo("hello, capacity tier");
        ObjectInfo info = bucket.head("a.txt").orElseThrow();
        assertThat(info.metadata()).containsEntry(MirrorAttributes.PERMISSIONS, "0100644");
        assertThat(info.metadata()).containsEntry(MirrorAttributes.INO, Long.toString(ino));

        set(ino, "user.strata.hsm.request", "release");
        assertThat(state(ino)).isEqualTo("released");
        assertThat(fs.getattr(ino, 0).sizeBytes()).isEqualTo(20);
        assertThat(readAll(ino)).isEqualTo("hello, capacity tier");
        assertThat(state(ino)).isEqualTo("released"); // reading does not restore

        // A write restores first, then makes the file dirty.
        Opened w = fs.open(ME, ino, O_RDWR);
        assertThat(state(ino)).isEqualTo("dirty");
        write(ino, w.fh(), 0, "HELLO");
        fs.release(ino, w.fh());
        assertThat(readAll(ino)).isEqualTo("HELLO, capacity tier");
    }

    @Test
    void releaseRefusesWhatIsNotArchived() throws Exception {
        long ino = createWith(ROOT, "d.txt", "dirty data");
        assertThatThrownBy(() -> set(ino, "user.strata.hsm.request", "release"))
                .isInstanceOf(FsException.NotPermitted.class).hasMessageContaining("dirty");
        assertThat(readAll(ino)).isEqualTo("dirty data");
    }

    @Test
    void explicitRestoreBringsDataBack() throws Exception {
        long ino = createWith(ROOT, "r.bin", "restore me");
        set(ino, "user.strata.hsm.request", "archive");
        awaitState(ino, "archived");
        set(ino, "user.strata.hsm.request", "release");
        set(ino, "user.strata.hsm.request", "restore");
        awaitState(ino, "archived");
        bucket.delete("r.bin"); // the local copy is what is read now
        assertThat(readAll(ino)).isEqualTo("restore me");
    }

    @Test
    void namespaceChangesReachTheBucketInOrder() throws Exception {
        Entry d = fs.mkdir(ME, ROOT, Name.of("dir"), 0755, 022);
        long f = createWith(d.ino(), "f.txt", "in a directory");
        set(f, "user.strata.hsm.request", "archive");
        awaitState(f, "archived");
        await("marker", () -> has("dir/"));
        assertThat(has("dir/f.txt")).isTrue();

        fs.rename(ME, ROOT, Name.of("dir"), ROOT, Name.of("moved"), 0);
        await("prefix renamed", () -> has("moved/f.txt") && has("moved/") && !has("dir/f.txt") && !has("dir/"));
        assertThat(object("moved/f.txt")).isEqualTo("in a directory");

        // The released file's reads follow its object to the new name.
        set(f, "user.strata.hsm.request", "release");
        assertThat(readAll(f)).isEqualTo("in a directory");

        fs.setattr(ME, f, dev.strata.core.fs.SetAttr.mode(0600));
        await("chmod mirrored", () -> {
            try {
                return "0100600".equals(bucket.head("moved/f.txt").orElseThrow().metadata().get(MirrorAttributes.PERMISSIONS));
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(readAll(f)).isEqualTo("in a directory"); // the new tag is followed too

        fs.unlink(ME, d.ino(), Name.of("f.txt"));
        fs.rmdir(ME, ROOT, Name.of("moved"));
        await("deleted", () -> !has("moved/f.txt") && !has("moved/"));
    }

    @Test
    void symlinksAreSmallObjectsHoldingTheTarget() throws Exception {
        fs.symlink(ME, ROOT, Name.of("link"), "some/target".getBytes(StandardCharsets.UTF_8));
        await("symlink object", () -> has("link"));
        assertThat(object("link")).isEqualTo("some/target");
        assertThat(bucket.head("link").orElseThrow().metadata().get(MirrorAttributes.PERMISSIONS)).isEqualTo("0120777");
    }

    @Test
    void syncPolicyArchivesBeforeCloseReturns() throws Exception {
        Entry d = fs.mkdir(ME, ROOT, Name.of("ckpt"), 0755, 022);
        set(d.ino(), "user.strata.policy", "durability=sync");
        assertThat(xattr(d.ino(), "user.strata.policy")).isEqualTo("durability=sync max-dirty-age=3600s");
        long f = createWith(d.ino(), "step-1", "weights");
        // createWith returned after flush (close): the object must be there now, no waiting.
        assertThat(has("ckpt/step-1")).isTrue();
        assertThat(object("ckpt/step-1")).isEqualTo("weights");
        assertThat(state(f)).isEqualTo("archived");
    }

    @Test
    void scratchNeverLeavesTheFastTier() throws Exception {
        Entry d = fs.mkdir(ME, ROOT, Name.of("tmp"), 0755, 022);
        set(d.ino(), "user.strata.policy", "durability=scratch");
        long f = createWith(d.ino(), "x", "scratch data");
        assertThat(state(f)).isEqualTo("resident");
        assertThatThrownBy(() -> set(f, "user.strata.hsm.request", "archive")).isInstanceOf(FsException.NotPermitted.class);
        Thread.sleep(300);
        assertThat(has("tmp/x")).isFalse();
    }

    @Test
    void asyncPolicyArchivesWithinTheMaxDirtyAge() throws Exception {
        Entry d = fs.mkdir(ME, ROOT, Name.of("fast"), 0755, 022);
        set(d.ino(), "user.strata.policy", "durability=async max-dirty-age=2s");
        long f = createWith(d.ino(), "y", "soon in the bucket");
        assertThat(xattr(ROOT, "user.strata.status")).contains("dirty-files: 1");
        awaitState(f, "archived");
        assertThat(object("fast/y")).isEqualTo("soon in the bucket");
        assertThat(xattr(ROOT, "user.strata.status")).contains("dirty-files: 0");
    }

    @Test
    void badControlValuesAreRefusedAndStoreNothing() throws Exception {
        Entry d = fs.mkdir(ME, ROOT, Name.of("p"), 0755, 022);
        assertThatThrownBy(() -> set(d.ino(), "user.strata.policy", "durability=fast"))
                .isInstanceOf(FsException.InvalidArgument.class).hasMessageContaining("scratch, async or sync");
        assertThatThrownBy(() -> xattr(d.ino(), "user.strata.policy")).isInstanceOf(FsException.NoData.class);
        assertThatThrownBy(() -> set(d.ino(), "user.strata.hsm.request", "archive"))
                .isInstanceOf(FsException.InvalidArgument.class);
        assertThatThrownBy(() -> set(d.ino(), "user.strata.other", "x")).isInstanceOf(FsException.NotSupported.class);
        assertThat(fs.listxattr(d.ino())).isEmpty();
    }

    @Test
    void stateSurvivesRestart() throws Exception {
        long ino = createWith(ROOT, "keep", "across restarts");
        set(ino, "user.strata.hsm.request", "archive");
        awaitState(ino, "archived");
        set(ino, "user.strata.hsm.request", "release");
        fs.destroy();
        meta = meta.reopen();
        start();
        assertThat(state(ino)).isEqualTo("released");
        assertThat(readAll(ino)).isEqualTo("across restarts");
        Optional<?> unused = Optional.empty();
        assertThat(unused).isEmpty();
    }
}
