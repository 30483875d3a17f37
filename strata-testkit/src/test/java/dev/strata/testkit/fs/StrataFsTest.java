package dev.strata.testkit.fs;

import static dev.strata.testkit.fs.TestFs.ALICE;
import static dev.strata.testkit.fs.TestFs.BOB;
import static dev.strata.testkit.fs.TestFs.DataOpsFlags.O_RDONLY;
import static dev.strata.testkit.fs.TestFs.DataOpsFlags.O_RDWR;
import static dev.strata.testkit.fs.TestFs.DataOpsFlags.O_TRUNC;
import static dev.strata.testkit.fs.TestFs.DataOpsFlags.O_WRONLY;
import static dev.strata.testkit.fs.TestFs.ROOT;
import static dev.strata.testkit.fs.TestFs.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.Caller;
import dev.strata.core.Errno;
import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.fs.Attr;
import dev.strata.core.fs.Entry;
import dev.strata.core.fs.FsOptions;
import dev.strata.core.fs.Opened;
import dev.strata.core.fs.PosixFileSystem;
import dev.strata.core.fs.SetAttr;
import dev.strata.core.fs.StatFs;
import dev.strata.core.meta.Mark;
import dev.strata.testkit.meta.InMemoryMetadataStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

/** The engine's POSIX rules, one behaviour per test, over in-memory stores. */
class StrataFsTest {

    private static void assertErrno(Errno errno, ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(FsException.class)
                .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(errno));
    }

    @Test
    void formatsAnEmptyStoreWithARootDirectory() throws Exception {
        TestFs t = TestFs.fresh(FsOptions.defaults(1000, 1000).withDeferredFlushMillis(0));
        Attr root = t.fs.getattr(PosixFileSystem.ROOT, -1);
        assertThat(FileType.fromMode(root.mode())).isEqualTo(FileType.DIRECTORY);
        assertThat(root.mode() & 07777).isEqualTo(0755);
        assertThat(root.uid()).isEqualTo(1000);
        assertThat(root.nlink()).isEqualTo(2);
        assertThat(t.ls("/")).isEmpty();
    }

    @Test
    void writesAndReadsBackAFile() throws Exception {
        TestFs t = TestFs.fresh();
        Attr a = t.write("/hello", "hello world");
        assertThat(a.sizeBytes()).isEqualTo(11);
        assertThat(a.nlink()).isEqualTo(1);
        assertThat(t.read("/hello")).isEqualTo("hello world");
        assertThat(t.ls("/")).containsExactly("hello");
    }

    @Test
    void survivesARestartWithEverything() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/d", 0750);
        t.write("/d/f", "data");
        t.symlink("/d/l", "f");
        t = t.restart();
        assertThat(t.read("/d/f")).isEqualTo("data");
        assertThat(t.stat("/d").mode() & 07777).isEqualTo(0750);
        assertThat(new String(t.fs.readlink(t.ino("/d/l")), StandardCharsets.UTF_8)).isEqualTo("f");
    }

    @Test
    void sparseWritesLeaveHolesThatReadAsZeros() throws Exception {
        TestFs t = TestFs.fresh();
        TestFs.Handle h = t.create("/sparse");
        long far = 9L << 30; // past 8 GiB
        t.pwrite(h, far, "end".getBytes(StandardCharsets.UTF_8));
        assertThat(t.fs.getattr(h.ino(), h.fh()).sizeBytes()).isEqualTo(far + 3);
        assertThat(t.pread(h, 1 << 20, 4)).containsOnly(0);
        assertThat(t.fs.lseek(h.ino(), h.fh(), 0, 3 /* SEEK_DATA */)).isGreaterThan(1 << 20);
        t.close(h);
        assertThat(t.stat("/sparse").blocks() * 512).isLessThan(1 << 20);
    }

    @Test
    void truncateShrinksAndGrows() throws Exception {
        TestFs t = TestFs.fresh();
        t.write("/f", "0123456789");
        long ino = t.ino("/f");
        t.fs.setattr(ROOT, ino, SetAttr.size(4));
        assertThat(t.read("/f")).isEqualTo("0123");
        t.fs.setattr(ROOT, ino, SetAttr.size(8));
        assertThat(t.read("/f")).isEqualTo("0123\0\0\0\0");
    }

    @Test
    void openWithTruncEmptiesTheFileAndMovesMtime() throws Exception {
        TestFs t = TestFs.fresh();
        Attr before = t.write("/f", "content");
        TestFs.Handle h = t.open("/f", O_WRONLY | O_TRUNC);
        Attr after = t.fs.getattr(h.ino(), h.fh());
        t.close(h);
        assertThat(after.sizeBytes()).isZero();
        assertThat(after.mtime()).isGreaterThan(before.mtime());
    }

    @Test
    void writeMovesMtimeAndCtimeAndReadMovesAtime() throws Exception {
        TestFs t = TestFs.fresh();
        Attr created = t.write("/f", "");
        TestFs.Handle h = t.open("/f", O_RDWR);
        t.pwrite(h, 0, new byte[] {1});
        Attr written = t.fs.getattr(h.ino(), h.fh());
        assertThat(written.mtime()).isGreaterThan(created.mtime());
        assertThat(written.ctime()).isGreaterThanOrEqualTo(written.mtime());
        t.pread(h, 0, 1);
        assertThat(t.fs.getattr(h.ino(), h.fh()).atime()).isGreaterThan(created.atime());
        t.close(h);
    }

    @Test
    void directoriesCountTheirSubdirectoriesInNlink() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/a", 0755);
        t.mkdir("/a/b", 0755);
        t.mkdir("/a/c", 0755);
        t.write("/a/f", "x");
        assertThat(t.stat("/a").nlink()).isEqualTo(4);
        assertThat(t.stat("/").nlink()).isEqualTo(3);
        t.rmdir("/a/b");
        assertThat(t.stat("/a").nlink()).isEqualTo(3);
    }

    @Test
    void rmdirOfANonEmptyDirectoryFails() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/a", 0755);
        t.write("/a/f", "x");
        assertErrno(Errno.ENOTEMPTY, () -> t.rmdir("/a"));
        assertErrno(Errno.ENOTDIR, () -> t.rmdir("/a/f"));
        assertErrno(Errno.EISDIR, () -> t.unlink("/a"));
        assertErrno(Errno.ENOENT, () -> t.unlink("/a/missing"));
    }

    @Test
    void createExclusiveOfAnExistingNameFails() throws Exception {
        TestFs t = TestFs.fresh();
        t.write("/f", "x");
        assertErrno(Errno.EEXIST, () -> t.fs.create(ROOT, PosixFileSystem.ROOT, name("f"), 0644, 0,
                O_WRONLY | TestFs.DataOpsFlags.O_EXCL));
        assertErrno(Errno.EEXIST, () -> t.mkdir("/f", 0755));
    }

    @Test
    void renameReplacesAFileAtomically() throws Exception {
        TestFs t = TestFs.fresh();
        t.write("/a", "new");
        t.write("/b", "old");
        long oldB = t.ino("/b");
        t.rename("/a", "/b", 0);
        assertThat(t.read("/b")).isEqualTo("new");
        assertThat(t.ls("/")).containsExactly("b");
        assertThat(t.data.exists(oldB)).isFalse();
    }

    @Test
    void renameMovesDirectoriesAndFixesLinkCounts() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/x", 0755);
        t.mkdir("/y", 0755);
        t.mkdir("/x/d", 0755);
        t.write("/x/d/f", "f");
        t.rename("/x/d", "/y/d2", 0);
        assertThat(t.read("/y/d2/f")).isEqualTo("f");
        assertThat(t.stat("/x").nlink()).isEqualTo(2);
        assertThat(t.stat("/y").nlink()).isEqualTo(3);
        // ".." of the moved directory now names /y
        long d2 = t.ino("/y/d2");
        Opened o = t.fs.opendir(ROOT, d2, 0);
        List<Long> dotdot = new ArrayList<>();
        t.fs.readdir(d2, o.fh(), 0, (n, ino, type, next) -> {
            if (new String(n, StandardCharsets.UTF_8).equals("..")) {
                dotdot.add(ino);
            }
            return true;
        });
        t.fs.releasedir(d2, o.fh());
        assertThat(dotdot).containsExactly(t.ino("/y"));
    }

    @Test
    void renameFollowsThePosixErrorRules() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/d", 0755);
        t.mkdir("/d/sub", 0755);
        t.mkdir("/full", 0755);
        t.write("/full/f", "x");
        t.mkdir("/empty", 0755);
        t.write("/file", "x");
        assertErrno(Errno.ENOENT, () -> t.rename("/missing", "/x", 0));
        assertErrno(Errno.EINVAL, () -> t.rename("/d", "/d/sub/inside", 0));
        assertErrno(Errno.EISDIR, () -> t.rename("/file", "/empty", 0));
        assertErrno(Errno.ENOTDIR, () -> t.rename("/empty", "/file", 0));
        assertErrno(Errno.ENOTEMPTY, () -> t.rename("/empty", "/full", 0));
        assertErrno(Errno.EEXIST, () -> t.rename("/file", "/full/f", PosixFileSystem.RENAME_NOREPLACE));
        assertErrno(Errno.ENOENT, () -> t.rename("/file", "/nothing", PosixFileSystem.RENAME_EXCHANGE));
        assertErrno(Errno.EINVAL, () -> t.rename("/file", "/x", PosixFileSystem.RENAME_WHITEOUT));
        t.rename("/empty", "/d/sub", 0); // an empty directory may be replaced
        assertThat(t.ls("/")).containsExactlyInAnyOrder("d", "full", "file");
    }

    @Test
    void renameOfOneHardLinkOntoAnotherDoesNothing() throws Exception {
        TestFs t = TestFs.fresh();
        t.write("/a", "x");
        t.link("/a", "/b");
        t.rename("/a", "/b", 0);
        assertThat(t.ls("/")).containsExactlyInAnyOrder("a", "b");
        assertThat(t.stat("/a").nlink()).isEqualTo(2);
    }

    @Test
    void renameExchangeSwapsAFileAndADirectoryAcrossParents() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/p", 0755);
        t.mkdir("/q", 0755);
        t.write("/p/f", "file");
        t.mkdir("/q/d", 0755);
        t.write("/q/d/inner", "i");
        t.rename("/p/f", "/q/d", PosixFileSystem.RENAME_EXCHANGE);
        assertThat(t.type("/p/f")).isEqualTo(FileType.DIRECTORY);
        assertThat(t.read("/p/f/inner")).isEqualTo("i");
        assertThat(t.read("/q/d")).isEqualTo("file");
        assertThat(t.stat("/p").nlink()).isEqualTo(3);
        assertThat(t.stat("/q").nlink()).isEqualTo(2);
    }

    @Test
    void hardLinksShareTheInode() throws Exception {
        TestFs t = TestFs.fresh();
        t.write("/a", "shared");
        t.link("/a", "/b");
        assertThat(t.ino("/a")).isEqualTo(t.ino("/b"));
        assertThat(t.stat("/a").nlink()).isEqualTo(2);
        t.unlink("/a");
        assertThat(t.read("/b")).isEqualTo("shared");
        assertThat(t.stat("/b").nlink()).isEqualTo(1);
        t.mkdir("/dir", 0755);
        assertErrno(Errno.EPERM, () -> t.link("/dir", "/dir2"));
        assertErrno(Errno.EEXIST, () -> t.link("/b", "/dir"));
    }

    @Test
    void anUnlinkedOpenFileStaysReadableUntilItsLastClose() throws Exception {
        TestFs t = TestFs.fresh();
        TestFs.Handle h = t.create("/tmp");
        t.pwrite(h, 0, "still here".getBytes(StandardCharsets.UTF_8));
        t.unlink("/tmp");
        assertThat(t.ls("/")).isEmpty();
        assertThat(new String(t.pread(h, 0, 10), StandardCharsets.UTF_8)).isEqualTo("still here");
        assertThat(t.fs.getattr(h.ino(), h.fh()).nlink()).isZero();
        assertThat(t.meta.marked(Mark.ORPHAN)).containsExactly(h.ino());
        t.close(h);
        assertThat(t.data.exists(h.ino())).isFalse();
        // The record's deletion rides along with the next commit; until then the ORPHAN mark
        // stands for it (a crash now frees it at restart).
        assertThat(t.meta.marked(Mark.ORPHAN)).containsExactly(h.ino());
        t.fs.flushDeferred();
        assertThat(t.meta.inode(h.ino())).isEmpty();
        assertThat(t.meta.marked(Mark.ORPHAN)).isEmpty();
    }

    @Test
    void theSizeRecordedAtCloseRidesAlongWithTheNextCommit() throws Exception {
        TestFs t = TestFs.fresh();
        TestFs.Handle h = t.create("/f");
        t.pwrite(h, 0, new byte[1234]);
        t.close(h);
        assertThat(t.stat("/f").sizeBytes()).isEqualTo(1234);
        assertThat(t.meta.marked(Mark.OPEN_FOR_WRITE)).as("until the next commit").containsExactly(h.ino());
        t.mkdir("/other", 0755); // any commit
        assertThat(t.meta.inode(h.ino()).orElseThrow().sizeBytes()).isEqualTo(1234);
        assertThat(t.meta.marked(Mark.OPEN_FOR_WRITE)).isEmpty();
    }

    @Test
    void anUnlinkedInodeTheKernelStillReferencesStaysUsableUntilForgotten() throws Exception {
        // An open(2) whose path walk found the name just before a rename replaced it arrives as an
        // OPEN of the old inode: it must succeed, as it does on a local file system.
        TestFs t = TestFs.fresh();
        t.write("/a", "old");
        Entry cached = t.fs.lookup(ROOT, PosixFileSystem.ROOT, name("a"));
        t.write("/b", "new");
        t.rename("/b", "/a", 0);
        TestFs.Handle h = new TestFs.Handle(cached.ino(), t.fs.open(ROOT, cached.ino(), O_RDONLY).fh());
        assertThat(new String(t.pread(h, 0, 10), StandardCharsets.UTF_8)).isEqualTo("old");
        t.close(h);
        assertThat(t.data.exists(cached.ino())).as("still referenced by the kernel").isTrue();
        assertThat(t.meta.marked(Mark.ORPHAN)).containsExactly(cached.ino());
        t.fs.forget(cached.ino(), 1);
        assertThat(t.data.exists(cached.ino())).isFalse();
        t.fs.flushDeferred();
        assertThat(t.meta.inode(cached.ino())).isEmpty();
        assertThat(t.meta.marked(Mark.ORPHAN)).isEmpty();
        assertThat(t.read("/a")).isEqualTo("new");
    }

    @Test
    void aCrashWithAnUnlinkedOpenFileFreesItAtRestart() throws Exception {
        TestFs t = TestFs.fresh();
        TestFs.Handle h = t.create("/tmp");
        t.pwrite(h, 0, new byte[4096]);
        t.unlink("/tmp");
        t = t.kill();
        assertThat(t.data.exists(h.ino())).isFalse();
        assertThat(t.meta.inode(h.ino())).isEmpty();
        assertThat(t.meta.marked(Mark.ORPHAN)).isEmpty();
        assertThat(t.fs.stats().inodes()).isEqualTo(1);
    }

    @Test
    void aCrashWhileWritingKeepsTheBytesTheLocalTierHolds() throws Exception {
        TestFs t = TestFs.fresh();
        TestFs.Handle h = t.create("/log");
        t.pwrite(h, 0, "first line\n".getBytes(StandardCharsets.UTF_8));
        t.fs.fsync(h.ino(), h.fh(), false);
        t.pwrite(h, 11, "second line\n".getBytes(StandardCharsets.UTF_8));
        t = t.kill();
        assertThat(t.read("/log")).isEqualTo("first line\nsecond line\n");
        assertThat(t.meta.marked(Mark.OPEN_FOR_WRITE)).isEmpty();
    }

    @Test
    void writesThatBypassTheEngineAreFoldedInOnGetattr() throws Exception {
        TestFs t = TestFs.fresh();
        TestFs.Handle h = t.create("/pt");
        // What FUSE passthrough does: the kernel writes the local file directly.
        try (var direct = t.data.open(h.ino())) {
            direct.write(0, java.lang.foreign.MemorySegment.ofArray(new byte[100]));
        }
        t.close(h);
        assertThat(t.stat("/pt").sizeBytes()).isEqualTo(100);
    }

    @Test
    void xattrsHonourCreateAndReplaceFlags() throws Exception {
        TestFs t = TestFs.fresh();
        t.write("/f", "x");
        long ino = t.ino("/f");
        byte[] n = "user.color".getBytes(StandardCharsets.UTF_8);
        assertErrno(Errno.ENODATA, () -> t.fs.setxattr(ROOT, ino, n, new byte[] {1}, PosixFileSystem.XATTR_REPLACE));
        t.fs.setxattr(ROOT, ino, n, "blue".getBytes(StandardCharsets.UTF_8), PosixFileSystem.XATTR_CREATE);
        assertErrno(Errno.EEXIST, () -> t.fs.setxattr(ROOT, ino, n, new byte[] {1}, PosixFileSystem.XATTR_CREATE));
        t.fs.setxattr(ROOT, ino, n, "red".getBytes(StandardCharsets.UTF_8), PosixFileSystem.XATTR_REPLACE);
        assertThat(new String(t.fs.getxattr(ino, n), StandardCharsets.UTF_8)).isEqualTo("red");
        assertThat(t.fs.listxattr(ino)).hasSize(1);
        t.fs.removexattr(ROOT, ino, n);
        assertErrno(Errno.ENODATA, () -> t.fs.getxattr(ino, n));
        assertErrno(Errno.EOPNOTSUPP, () -> t.fs.setxattr(ROOT, ino,
                "system.posix_acl_access".getBytes(StandardCharsets.UTF_8), new byte[4], 0));
        assertErrno(Errno.E2BIG, () -> t.fs.setxattr(ROOT, ino, n, new byte[65_537], 0));
    }

    @Test
    void namesMayHoldAnyByteButSlashAndNul() throws Exception {
        TestFs t = TestFs.fresh();
        byte[] raw = new byte[255];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i % 254 + 1 == '/' ? 0xFF : i % 254 + 1);
        }
        Entry e = t.fs.mkdir(ROOT, PosixFileSystem.ROOT, dev.strata.core.Name.of(raw), 0755, 0);
        assertThat(t.fs.lookup(ROOT, PosixFileSystem.ROOT, dev.strata.core.Name.of(raw)).ino()).isEqualTo(e.ino());
        assertErrno(Errno.ENAMETOOLONG, () -> dev.strata.core.Name.of(new byte[256]));
    }

    @Test
    void aSetgidDirectoryPassesItsGroupDown() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/shared", 02775);
        t.fs.setattr(ROOT, t.ino("/shared"), SetAttr.owner(null, 500));
        t.mkdir(ALICE, "/shared/sub", 0755);
        t.write(ALICE, "/shared/file", new byte[0]);
        assertThat(t.stat("/shared/sub").gid()).isEqualTo(500);
        assertThat(t.stat("/shared/sub").mode() & 02000).isEqualTo(02000);
        assertThat(t.stat("/shared/file").gid()).isEqualTo(500);
        assertThat(t.stat("/shared/file").uid()).isEqualTo(ALICE.uid());
    }

    @Test
    void inAStickyDirectoryOnlyOwnersMayRemove() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/tmp", 01777);
        t.write(ALICE, "/tmp/alices", new byte[0]);
        TestFs.Parent p = t.parent("/tmp/alices");
        assertErrno(Errno.EPERM, () -> t.fs.unlink(BOB, p.ino(), p.name()));
        t.fs.unlink(ALICE, p.ino(), p.name());
    }

    @Test
    void onlyTheOwnerMayChmodAndChownClearsSetuid() throws Exception {
        TestFs t = TestFs.fresh();
        t.write(ALICE, "/prog", new byte[0]);
        long ino = t.ino("/prog");
        assertErrno(Errno.EPERM, () -> t.fs.setattr(BOB, ino, SetAttr.mode(0777)));
        t.fs.setattr(ALICE, ino, SetAttr.mode(06755));
        assertThat(t.stat("/prog").mode() & 07777).isEqualTo(06755);
        assertErrno(Errno.EPERM, () -> t.fs.setattr(ALICE, ino, SetAttr.owner(BOB.uid(), null)));
        t.fs.setattr(ROOT, ino, SetAttr.owner(BOB.uid(), null));
        assertThat(t.stat("/prog").mode() & 07777).isEqualTo(0755);
        assertThat(t.stat("/prog").uid()).isEqualTo(BOB.uid());
    }

    @Test
    void theKernelsOwnMtimeUnderTheWritebackCacheNeedsNoOwnership() throws Exception {
        // touch(1) or truncate(1) by a non-owner with write permission: with the writeback cache the
        // kernel sends its clock as an explicit mtime together with a ctime.
        TestFs t = TestFs.fresh();
        t.write(ALICE, "/f", "data".getBytes(StandardCharsets.UTF_8));
        long ino = t.ino("/f");
        var now = new dev.strata.core.Timespec(2_000_000_000L, 5);
        t.fs.setattr(BOB, ino, new SetAttr(null, null, null, 0L, null, false, now, false, now, -1, true));
        assertThat(t.stat("/f").sizeBytes()).isZero();
        assertThat(t.stat("/f").mtime()).isEqualTo(now);
        t.fs.setattr(BOB, ino, new SetAttr(null, null, null, null, null, true, now, false, now, -1, false));
        // An explicit atime is never the kernel's own.
        assertErrno(Errno.EPERM, () -> t.fs.setattr(BOB, ino,
                new SetAttr(null, null, null, null, now, false, now, false, now, -1, false)));
    }

    @Test
    void setuidFilesAreNotOfferedForPassthrough() throws Exception {
        // Passthrough writes bypass the engine, which must clear setuid/setgid on unprivileged writes.
        TestFs t = TestFs.fresh();
        t.write("/f", "x");
        t.fs.setattr(ROOT, t.ino("/f"), SetAttr.mode(04755));
        long ino = t.ino("/f");
        Opened o = t.fs.open(ROOT, ino, O_RDWR);
        assertThat(o.passthroughFd()).isEqualTo(-1);
        t.fs.release(ino, o.fh());
    }

    @Test
    void explicitTimesNeedTheOwnerAndKeepNanoseconds() throws Exception {
        TestFs t = TestFs.fresh();
        t.write(ALICE, "/f", new byte[0]);
        long ino = t.ino("/f");
        var when = new dev.strata.core.Timespec(1_000_000_000L, 123_456_789);
        assertErrno(Errno.EPERM, () -> t.fs.setattr(BOB, ino, SetAttr.times(when, when)));
        t.fs.setattr(ALICE, ino, SetAttr.times(when, when));
        assertThat(t.stat("/f").mtime()).isEqualTo(when);
        assertThat(t.stat("/f").atime()).isEqualTo(when);
        assertThat(t.stat("/f").ctime()).isGreaterThan(when);
    }

    @Test
    void readdirResumesCorrectlyWhileEntriesAreRemoved() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/big", 0755);
        int count = 3000;
        for (int i = 0; i < count; i++) {
            t.write("/big/f" + i, "");
        }
        long dir = t.ino("/big");
        Opened o = t.fs.opendir(ROOT, dir, 0);
        Set<String> seen = new HashSet<>();
        long[] offset = {0};
        int removed = 0;
        while (true) {
            List<String> page = new ArrayList<>();
            t.fs.readdir(dir, o.fh(), offset[0], (n, ino, type, next) -> {
                if (page.size() == 100) {
                    return false;
                }
                page.add(new String(n, StandardCharsets.UTF_8));
                offset[0] = next;
                return true;
            });
            if (page.isEmpty()) {
                break;
            }
            for (String n : page) {
                assertThat(seen.add(n)).as("entry %s returned twice", n).isTrue();
            }
            // Remove one listed and one not yet listed entry per page, as rm -rf and a racing
            // cleaner would.
            String listed = page.get(page.size() - 1);
            if (!listed.startsWith(".")) {
                t.unlink("/big/" + listed);
                removed++;
            }
        }
        t.fs.releasedir(dir, o.fh());
        assertThat(seen).contains(".", "..");
        assertThat(seen).hasSize(count + 2);
        assertThat(t.ls("/big")).hasSize(count - removed);
    }

    @Test
    void readdirplusCountsOnlyTheEntriesItHandsOver() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/d", 0755);
        for (int i = 0; i < 10; i++) {
            t.write("/d/f" + i, "");
        }
        long dir = t.ino("/d");
        Opened o = t.fs.opendir(ROOT, dir, 0);
        List<Long> taken = new ArrayList<>();
        t.fs.readdirplus(dir, o.fh(), 0, (n, entry, type, ino, next) -> {
            if (taken.size() == 5) {
                return false;
            }
            if (entry != null) {
                taken.add(entry.ino());
            }
            return true;
        });
        t.fs.releasedir(dir, o.fh());
        int before = t.fs.stats().cachedNodes();
        for (long ino : taken) {
            t.fs.forget(ino, 1);
        }
        assertThat(t.fs.stats().cachedNodes()).isEqualTo(before - taken.size());
    }

    @Test
    void aFullLocalTierAnswersEnospcAndKeepsWorkingAfterwards() throws Exception {
        TestFs t = TestFs.fresh();
        TestFs.Handle h = t.create("/big");
        t.data.limitSpace(t.data.usedBytes() + 256 * 1024);
        assertErrno(Errno.ENOSPC, () -> {
            for (int i = 0; i < 100; i++) {
                t.pwrite(h, (long) i * 65536, new byte[65536]);
            }
        });
        t.close(h);
        t.unlink("/big");
        t.data.removeSpaceLimit();
        t.write("/after", "ok");
        assertThat(t.read("/after")).isEqualTo("ok");
    }

    @Test
    void aFailedCommitChangesNothing() throws Exception {
        TestFs t = TestFs.fresh();
        t.mkdir("/d", 0755);
        t.write("/d/f", "x");
        t.meta.failCommit(1, InMemoryMetadataStore.Fault.NO_SPACE);
        assertErrno(Errno.ENOSPC, () -> t.rename("/d/f", "/g", 0));
        assertThat(t.ls("/d")).containsExactly("f");
        assertThat(t.ls("/")).containsExactly("d");
        t.rename("/d/f", "/g", 0);
        assertThat(t.read("/g")).isEqualTo("x");
    }

    @Test
    void theHandleTableIsBounded() throws Exception {
        FsOptions small = new FsOptions(0, 0, 3, FsOptions.DEFAULT_MAX_FILE_SIZE, 4096, 64, 0);
        TestFs t = TestFs.fresh(small);
        t.write("/f", "x");
        List<TestFs.Handle> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            open.add(t.open("/f", O_RDONLY));
        }
        assertErrno(Errno.ENFILE, () -> t.open("/f", O_RDONLY));
        open.forEach(t::close);
        t.close(t.open("/f", O_RDONLY));
    }

    @Test
    void statfsReportsTheTierAndTheInodeCount() throws Exception {
        TestFs t = TestFs.fresh();
        t.write("/a", "x");
        t.mkdir("/b", 0755);
        StatFs st = t.fs.statfs(PosixFileSystem.ROOT);
        assertThat(st.blocks()).isPositive();
        assertThat(st.files() - st.freeFiles()).isEqualTo(3);
        assertThat(st.maxNameLength()).isEqualTo(255);
    }

    @Test
    void symlinksKeepTheirTargetAndSize() throws Exception {
        TestFs t = TestFs.fresh();
        t.symlink("/l", "some/where/else");
        assertThat(t.type("/l")).isEqualTo(FileType.SYMLINK);
        assertThat(t.stat("/l").sizeBytes()).isEqualTo(15);
        assertErrno(Errno.ENAMETOOLONG, () -> t.symlink("/long", "x".repeat(4096)));
    }

    @Test
    void devicesAndFifosKeepTypeAndRdev() throws Exception {
        TestFs t = TestFs.fresh();
        Entry fifo = t.fs.mknod(ROOT, PosixFileSystem.ROOT, name("fifo"), FileType.FIFO.modeBits() | 0644, 0, 0);
        Entry dev = t.fs.mknod(ROOT, PosixFileSystem.ROOT, name("null"), FileType.CHAR_DEVICE.modeBits() | 0666,
                (1 << 8) | 3, 0);
        assertThat(FileType.fromMode(fifo.attr().mode())).isEqualTo(FileType.FIFO);
        assertThat(dev.attr().rdev()).isEqualTo((1 << 8) | 3);
    }

    @Test
    void theUmaskApplies() throws Exception {
        TestFs t = TestFs.fresh();
        Entry e = t.fs.mkdir(ROOT, PosixFileSystem.ROOT, name("d"), 0777, 022);
        assertThat(e.attr().mode() & 0777).isEqualTo(0755);
    }

    @Test
    void unknownInodesAndHandlesAreErrorsNotCrashes() {
        TestFs t;
        try {
            t = TestFs.fresh();
        } catch (FsException e) {
            throw new AssertionError(e);
        }
        TestFs fs = t;
        assertErrno(Errno.ENOENT, () -> fs.fs.getattr(999, -1));
        assertErrno(Errno.EBADF, () -> fs.fs.read(1, 12345, 0, java.lang.foreign.MemorySegment.ofArray(new byte[1])));
        fs.fs.release(1, 999); // no-op
        fs.fs.forget(999, 5); // no-op
        assertErrno(Errno.ENOTDIR, () -> {
            fs.write("/f", "x");
            fs.fs.lookup(new Caller(0, 0, 0), fs.ino("/f"), name("x"));
        });
    }
}
