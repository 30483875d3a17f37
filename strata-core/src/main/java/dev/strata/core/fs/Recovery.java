package dev.strata.core.fs;

import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.data.LocalFile;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Start-up: formats empty stores, and after a crash finishes what was in flight, visiting only the
 * inodes that carry a recovery mark — never the whole namespace.
 * <ul>
 *   <li>ORPHAN: the inode lost its last link while open or referenced by the kernel, or its data was
 *       still to be freed. Its data and record are freed now (no process can have it open after a restart).</li>
 *   <li>OPEN_FOR_WRITE: writes may have reached the local data without the size being recorded
 *       (FUSE passthrough writes bypass the engine). The local data's size and mtime win.</li>
 * </ul>
 */
final class Recovery {
    /** Outcome of a start, for the log and status. */
    record Report(boolean formatted, long inodes, int orphansFreed, int sizesRefreshed, long millis) {}

    private final FsState s;

    Recovery(FsState s) {
        this.s = s;
    }

    Report run() throws FsException {
        long t0 = s.clock.monotonicNanos();
        boolean formatted = false;
        if (s.meta.inode(PosixFileSystem.ROOT).isEmpty()) {
            if (s.meta.counter(FsState.NEXT_INO) != 0) {
                throw new FsException.IoFailure("the metadata has been used but has no root directory; "
                        + "it is damaged — restore it from a snapshot or start with an empty data directory");
            }
            format();
            formatted = true;
        } else {
            long version = s.meta.counter(FsState.FORMAT);
            if (version > FsState.FORMAT_VERSION) {
                throw new FsException.IoFailure("the metadata has format version " + version
                        + " but this Strata understands up to " + FsState.FORMAT_VERSION + "; use a newer Strata");
            }
        }
        s.nextIno = s.meta.counter(FsState.NEXT_INO);
        s.inodeCount = s.meta.counter(FsState.INODES);
        int orphans = freeOrphans();
        int refreshed = refreshOpenForWrite();
        s.data.syncNamespace();
        s.meta.sync();
        s.node(PosixFileSystem.ROOT);
        long millis = TimeUnit.NANOSECONDS.toMillis(s.clock.monotonicNanos() - t0);
        return new Report(formatted, s.inodeCount, orphans, refreshed, millis);
    }

    private void format() throws FsException {
        Timespec now = s.now();
        InodeRecord root = new InodeRecord.Builder()
                .ino(PosixFileSystem.ROOT)
                .mode(FileType.DIRECTORY.modeBits() | 0755)
                .uid(s.options.rootUid()).gid(s.options.rootGid())
                .nlink(2).sizeBytes(FsState.DIRECTORY_SIZE)
                .atime(now).mtime(now).ctime(now).btime(now)
                .parent(PosixFileSystem.ROOT)
                .nextCookie(InodeRecord.FIRST_COOKIE)
                .build();
        s.meta.commit(new dev.strata.core.meta.Mutation()
                .putInode(root)
                .setCounter(FsState.NEXT_INO, PosixFileSystem.ROOT + 1)
                .setCounter(FsState.INODES, 1)
                .setCounter(FsState.FORMAT, FsState.FORMAT_VERSION));
        s.meta.sync();
    }

    private int freeOrphans() throws FsException {
        List<Long> orphans = s.meta.marked(Mark.ORPHAN);
        if (orphans.isEmpty()) {
            return 0;
        }
        Txn t = s.txn();
        for (long ino : orphans) {
            s.data.delete(ino);
            if (s.meta.inode(ino).isPresent()) {
                t.delete(ino);
                t.adjustInodes(-1);
            } else {
                t.removeMark(Mark.ORPHAN, ino);
            }
        }
        s.lock.lock();
        try {
            s.commit(t);
        } finally {
            s.lock.unlock();
        }
        return orphans.size();
    }

    private int refreshOpenForWrite() throws FsException {
        List<Long> open = s.meta.marked(Mark.OPEN_FOR_WRITE);
        if (open.isEmpty()) {
            return 0;
        }
        Txn t = s.txn();
        int refreshed = 0;
        for (long ino : open) {
            t.removeMark(Mark.OPEN_FOR_WRITE, ino);
            Optional<InodeRecord> rec = s.meta.inode(ino);
            if (rec.isEmpty() || !rec.get().isRegular()) {
                continue;
            }
            Optional<LocalFile.Stat> st = s.data.stat(ino);
            if (st.isEmpty()) {
                continue;
            }
            InodeRecord r = rec.get();
            boolean sizeMoved = st.get().sizeBytes() != r.sizeBytes();
            boolean timeMoved = st.get().mtime().isAfter(r.mtime());
            if (sizeMoved || timeMoved) {
                InodeRecord.Builder b = t.edit(ino).sizeBytes(st.get().sizeBytes());
                if (timeMoved) {
                    b.mtime(st.get().mtime());
                    if (st.get().mtime().isAfter(r.ctime())) {
                        b.ctime(st.get().mtime());
                    }
                }
                refreshed++;
            }
        }
        s.lock.lock();
        try {
            s.commit(t);
        } finally {
            s.lock.unlock();
        }
        return refreshed;
    }
}
