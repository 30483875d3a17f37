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

    Duration importRefresh = Duration.ofSeconds(60);

    @BeforeEach
    void open() throws Exception {
        meta = new InMemoryMetadataStore();
        data = new InMemoryDataStore(Clock.SYSTEM);
        bucket = new InMemoryObjectStore();
        start();
    }

    dev.strata.core.store.ObjectStore tierStore() {
        return bucket;
    }

    dev.strata.hsm.TaskQueue.Options queueOptions = dev.strata.hsm.TaskQueue.Options.DEFAULTS;

    void start() throws FsException {
        HsmOptions opts = HsmOptions.defaults().withScanInterval(Duration.ofMillis(100)).withQueue(queueOptions)
                .withRootPolicy(new Policy(Policy.Durability.ASYNC, Duration.ofHours(1)))
                .withImport(importRefresh, 4242, 4242);
        fs = StrataFs.open(meta, data, Clock.SYSTEM, FsOptions.defaults(0, 0),
                new HsmTiering(tierStore(), opts, new Random(1)));
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

    void put(String key, String content, java.util.Map<String, String> md) throws Exception {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b);
        bucket.put(key, ByteBuffer.wrap(b), (int) crc.getValue(), md);
    }

    long path(String... names) throws FsException {
        long ino = ROOT;
        for (String n : names) {
            ino = fs.lookup(ME, ino, Name.of(n)).ino();
        }
        return ino;
    }

    void restartWithImport() throws FsException {
        fs.destroy();
        importRefresh = Duration.ZERO;
        start();
    }

    @Test
    void importShowsWhatTheBucketHoldsLazilyAndReleased() throws Exception {
        put("data/a.txt", "from another tool", java.util.Map.of(MirrorAttributes.PERMISSIONS, "0100600",
                MirrorAttributes.OWNER, "1000", MirrorAttributes.GROUP, "1001"));
        put("data/sub/b.txt", "no metadata at all", java.util.Map.of());
        put("top.bin", "v1", java.util.Map.of());
        put("n".repeat(300), "a name over 255 bytes", java.util.Map.of());
        put("x", "file x", java.util.Map.of());
        put("x/y", "x is also a directory", java.util.Map.of());
        restartWithImport();

        long a = path("data", "a.txt");
        assertThat(state(a)).isEqualTo("released");
        var attr = fs.getattr(a, 0);
        assertThat(attr.mode() & 07777).isEqualTo(0600);
        assertThat(attr.uid()).isEqualTo(1000);
        assertThat(attr.sizeBytes()).isEqualTo(17);
        assertThat(readAll(a)).isEqualTo("from another tool");
        long b = path("data", "sub", "b.txt");
        assertThat(fs.getattr(b, 0).uid()).isEqualTo(4242);
        assertThat(fs.getattr(b, 0).mode() & 07777).isEqualTo(0644);
        assertThat(readAll(b)).isEqualTo("no metadata at all");
        assertThat(fs.lookup(ME, ROOT, Name.of("x")).attr().mode() & 0170000).as("x and x/: the directory wins")
                .isEqualTo(0040000);
        assertThat(xattr(ROOT, "user.strata.status")).containsPattern("skipped-keys: [1-9]");
        assertThat(bucket.head("data/a.txt")).isPresent(); // nothing was copied or moved

        // Replaced and added outside Strata: visible at the next look.
        put("top.bin", "version two", java.util.Map.of());
        put("data/late.txt", "late arrival", java.util.Map.of());
        long top = path("top.bin");
        assertThat(readAll(top)).isEqualTo("version two");
        assertThat(readAll(path("data", "late.txt"))).isEqualTo("late arrival");

        // An imported file restores and is written like any other.
        Opened w = fs.open(ME, a, O_RDWR);
        write(a, w.fh(), 0, "FROM");
        fs.release(a, w.fh());
        assertThat(readAll(a)).isEqualTo("FROM another tool");
        assertThat(state(a)).isEqualTo("dirty");
    }

    @Test
    void importDoesNotResurrectWhatWasJustDeleted() throws Exception {
        long ino = createWith(ROOT, "gone.txt", "short-lived");
        set(ino, "user.strata.hsm.request", "archive");
        awaitState(ino, "archived");
        restartWithImport();
        fs.unlink(ME, ROOT, Name.of("gone.txt"));
        // Until the delete reaches the bucket, lookups must not bring the name back.
        assertThatThrownBy(() -> path("gone.txt")).isInstanceOf(FsException.NoSuchEntry.class);
        await("deleted", () -> !has("gone.txt"));
        assertThatThrownBy(() -> path("gone.txt")).isInstanceOf(FsException.NoSuchEntry.class);
    }

    long archived(long parent, String name, String content) throws Exception {
        long ino = createWith(parent, name, content);
        set(ino, "user.strata.hsm.request", "archive");
        awaitState(ino, "archived");
        return ino;
    }

    @Test
    void aReplacedObjectMakesAReleasedFileLostNotWrong() throws Exception {
        long ino = archived(ROOT, "v.dat", "the real bytes");
        set(ino, "user.strata.hsm.request", "release");
        put("v.dat", "someone else's", java.util.Map.of());
        assertThatThrownBy(() -> readAll(ino)).isInstanceOf(FsException.IoFailure.class).hasMessageContaining("lost");
        assertThat(state(ino)).isEqualTo("lost");
        assertThat(xattr(ino, "user.strata.hsm.info")).contains("error=archived object v.dat");
    }

    @Test
    void corruptBytesUnderTheSameIdentityFailTheChecksum() throws Exception {
        long ino = archived(ROOT, "c.dat", "0123456789abcdef");
        set(ino, "user.strata.hsm.request", "release");
        // Same size and Strata identity, different bytes: only the CRC32C can tell.
        java.util.Map<String, String> md = bucket.head("c.dat").orElseThrow().metadata();
        put("c.dat", "0123456789abcdeX", md);
        assertThatThrownBy(() -> readAll(ino)).isInstanceOf(FsException.IoFailure.class).hasMessageContaining("CRC32C");
        assertThat(state(ino)).isEqualTo("lost");
        assertThatThrownBy(() -> fs.open(ME, ino, O_RDWR)).isInstanceOf(FsException.IoFailure.class);
    }

    @Test
    void unlinkingTheMirroredNameOfAHardLinkMovesTheObject() throws Exception {
        long ino = archived(ROOT, "a", "linked data");
        fs.link(ME, ino, ROOT, Name.of("b"));
        set(ino, "user.strata.hsm.request", "release");
        fs.unlink(ME, ROOT, Name.of("a"));
        await("object moved to the remaining name", () -> has("b") && !has("a"));
        assertThat(readAll(ino)).isEqualTo("linked data");
        assertThat(state(ino)).isEqualTo("released");
    }

    @Test
    void exchangeSwapsTheObjects() throws Exception {
        long x = archived(ROOT, "x", "was x");
        Entry d = fs.mkdir(ME, ROOT, Name.of("y"), 0755, 022);
        long inner = archived(d.ino(), "in", "inside y");
        await("marker", () -> has("y/"));
        fs.rename(ME, ROOT, Name.of("x"), ROOT, Name.of("y"), PosixFileSystem.RENAME_EXCHANGE);
        await("swapped", () -> has("y") && has("x/in") && !has("y/in") && !has(HsmTiering.EXCHANGE_PREFIX + x));
        assertThat(object("y")).isEqualTo("was x");
        assertThat(object("x/in")).isEqualTo("inside y");
        set(inner, "user.strata.hsm.request", "release");
        assertThat(readAll(inner)).isEqualTo("inside y");
    }

    @Test
    void fsyncUnderSyncPolicyCommitsTheObject() throws Exception {
        Entry d = fs.mkdir(ME, ROOT, Name.of("s"), 0755, 022);
        set(d.ino(), "user.strata.policy", "durability=sync");
        Created c = fs.create(ME, d.ino(), Name.of("f"), 0644, 022, O_RDWR);
        long ino = c.entry().ino();
        write(ino, c.opened().fh(), 0, "first");
        fs.fsync(ino, c.opened().fh(), false);
        assertThat(object("s/f")).isEqualTo("first");
        write(ino, c.opened().fh(), 5, " second");
        fs.fsync(ino, c.opened().fh(), true);
        assertThat(object("s/f")).isEqualTo("first second");
        fs.release(ino, c.opened().fh());
        assertThat(state(ino)).isEqualTo("archived");
    }

    @Test
    void truncatingAReleasedFileKeepsTheBytesBelowTheNewSize() throws Exception {
        long ino = archived(ROOT, "t", "keep this part|drop this");
        set(ino, "user.strata.hsm.request", "release");
        fs.setattr(ME, ino, dev.strata.core.fs.SetAttr.size(14));
        assertThat(readAll(ino)).isEqualTo("keep this part");
        assertThat(state(ino)).isEqualTo("dirty");
    }

    @Test
    void failingUploadsEndAsDeadLettersThatCanBeRetried() throws Exception {
        fs.destroy();
        var faulty = new dev.strata.testkit.store.FaultInjectingObjectStore(bucket, 7,
                dev.strata.core.store.Sleeper.SYSTEM);
        queueOptions = new dev.strata.hsm.TaskQueue.Options(3, 10, 40, 256);
        HsmOptions opts = HsmOptions.defaults().withScanInterval(Duration.ofMillis(100)).withQueue(queueOptions)
                .withRootPolicy(new Policy(Policy.Durability.ASYNC, Duration.ofHours(1)));
        fs = StrataFs.open(meta, data, Clock.SYSTEM, FsOptions.defaults(0, 0), new HsmTiering(faulty, opts, new Random(1)));
        faulty.on(dev.strata.testkit.store.StoreOp.PUT).failWithProbability(1.0);
        long ino = createWith(ROOT, "doomed", "never uploads");
        set(ino, "user.strata.hsm.request", "archive");
        await("dead letter", () -> {
            try {
                return xattr(ROOT, "user.strata.hsm.queue").contains("dead id=");
            } catch (FsException e) {
                return false;
            }
        });
        String queue = xattr(ROOT, "user.strata.hsm.queue");
        assertThat(queue).contains("kind=ARCHIVE key=doomed attempts=3");
        assertThat(state(ino)).isEqualTo("dirty");
        assertThat(has("doomed")).isFalse();
        String id = queue.replaceAll("(?s).*dead id=(\\d+).*", "$1");
        faulty.on(dev.strata.testkit.store.StoreOp.PUT).clear();
        set(ROOT, "user.strata.hsm.queue", "retry " + id);
        awaitState(ino, "archived");
        assertThat(object("doomed")).isEqualTo("never uploads");
    }

    @Test
    void aFileChangedUnderScratchCanNotBeReleasedOnAnOldArchive() throws Exception {
        Entry d = fs.mkdir(ME, ROOT, Name.of("w"), 0755, 022);
        long ino = archived(d.ino(), "f", "archived version");
        set(d.ino(), "user.strata.policy", "durability=scratch");
        Opened w = fs.open(ME, ino, O_RDWR);
        write(ino, w.fh(), 0, "LOCAL");
        fs.release(ino, w.fh());
        assertThat(state(ino)).isEqualTo("resident");
        assertThatThrownBy(() -> set(ino, "user.strata.hsm.request", "release")).isInstanceOf(FsException.NotPermitted.class);
        assertThat(readAll(ino)).isEqualTo("LOCALved version");
    }

    @Test
    void releaseOfAFileWhoseObjectVanishedRefusesAndKeepsTheData() throws Exception {
        long ino = archived(ROOT, "gone", "still here locally");
        bucket.delete("gone");
        assertThatThrownBy(() -> set(ino, "user.strata.hsm.request", "release"))
                .isInstanceOf(FsException.IoFailure.class).hasMessageContaining("archived anew");
        assertThat(state(ino)).isEqualTo("dirty");
        assertThat(readAll(ino)).isEqualTo("still here locally");
    }

    @Test
    void aDirectoryMovedIntoScratchLeavesTheMirrorButReleasedFilesKeepTheirCopy() throws Exception {
        Entry scratch = fs.mkdir(ME, ROOT, Name.of("scratch"), 0755, 022);
        set(scratch.ino(), "user.strata.policy", "durability=scratch");
        Entry d = fs.mkdir(ME, ROOT, Name.of("proj"), 0755, 022);
        archived(d.ino(), "plain", "plain data");
        long rel = archived(d.ino(), "released", "only in the bucket");
        set(rel, "user.strata.hsm.request", "release");
        await("marker", () -> has("proj/"));
        fs.rename(ME, ROOT, Name.of("proj"), scratch.ino(), Name.of("proj"), 0);
        await("left the mirror", () -> !has("proj/plain") && !has("proj/"));
        assertThat(has("proj/released")).isTrue();
        assertThat(readAll(rel)).isEqualTo("only in the bucket");
    }

    @Test
    void writesTheEngineDidNotSeeAfterASyncFlushAreArchivedAtTheNextFlush() throws Exception {
        // A shell's `echo x > f`: open(O_TRUNC), dup2, close (FLUSH before any write), write through
        // passthrough (the engine never sees it), close (FLUSH again).
        Entry d = fs.mkdir(ME, ROOT, Name.of("sh"), 0755, 022);
        set(d.ino(), "user.strata.policy", "durability=sync");
        Created c = fs.create(ME, d.ino(), Name.of("out"), 0644, 022, O_RDWR);
        long ino = c.entry().ino();
        fs.flush(ino, c.opened().fh(), 0);
        assertThat(object("sh/out")).isEmpty();
        try (var local = data.open(ino); Arena a = Arena.ofConfined()) {
            byte[] b = "behind the engine".getBytes(StandardCharsets.UTF_8);
            MemorySegment seg = a.allocate(b.length);
            MemorySegment.copy(b, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
            local.write(0, seg);
        }
        fs.flush(ino, c.opened().fh(), 0);
        assertThat(object("sh/out")).isEqualTo("behind the engine");
        fs.release(ino, c.opened().fh());
        assertThat(state(ino)).isEqualTo("archived");
    }

    @Test
    void anUploadLeftByADeadProcessIsAbortedByTheNextArchive() throws Exception {
        long ino = createWith(ROOT, "big", "resumed");
        var upload = bucket.startUpload("big", java.util.Map.of());
        byte[] key = "big".getBytes(StandardCharsets.UTF_8);
        byte[] id = upload.id().getBytes(StandardCharsets.UTF_8);
        ByteBuffer note = ByteBuffer.allocate(8 + key.length + id.length);
        note.putInt(key.length).put(key).putInt(id.length).put(id);
        meta.commit(new dev.strata.core.meta.Mutation().putRecord(dev.strata.core.meta.RecordSpace.UPLOAD, ino,
                note.array()));
        assertThat(bucket.pendingUploads()).isEqualTo(1);
        set(ino, "user.strata.hsm.request", "archive");
        awaitState(ino, "archived");
        assertThat(bucket.pendingUploads()).isZero();
        assertThat(meta.record(dev.strata.core.meta.RecordSpace.UPLOAD, ino)).isEmpty();
    }

    @Test
    void readsArrivingSlightlyOutOfOrderDoNotRestartTheReadAhead() throws Exception {
        byte[] content = new byte[6 << 20];
        new Random(3).nextBytes(content);
        Created c = fs.create(ME, ROOT, Name.of("seq"), 0644, 022, O_RDWR);
        long ino = c.entry().ino();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(content.length);
            MemorySegment.copy(content, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, content.length);
            fs.write(ino, c.opened().fh(), 0, seg, false);
        }
        fs.release(ino, c.opened().fh());
        set(ino, "user.strata.hsm.request", "archive");
        awaitState(ino, "archived");
        set(ino, "user.strata.hsm.request", "release");
        long before = bucket.calls(dev.strata.testkit.store.StoreOp.READ);
        Opened o = fs.open(ME, ino, O_RDONLY);
        int chunk = 128 << 10;
        byte[] seen = new byte[content.length];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(chunk);
            for (int i = 0; i < content.length / chunk; i += 2) {
                for (int j : new int[] {i + 1, i}) { // each pair delivered the wrong way round
                    int n = fs.read(ino, o.fh(), (long) j * chunk, buf);
                    MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, seen, j * chunk, n);
                }
            }
        } finally {
            fs.release(ino, o.fh());
        }
        assertThat(seen).isEqualTo(content);
        // 1 + 2 + 4 MiB windows cover 6 MiB: a handful of ranged reads, not one per chunk.
        assertThat(bucket.calls(dev.strata.testkit.store.StoreOp.READ) - before).isLessThanOrEqualTo(6);
    }
}
