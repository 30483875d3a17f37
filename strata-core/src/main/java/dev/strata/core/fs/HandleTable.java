package dev.strata.core.fs;

import dev.strata.core.FsException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** File handle numbers to open handles, bounded by {@link FsOptions#maxOpenHandles()}. Thread-safe. */
final class HandleTable {
    private final ConcurrentHashMap<Long, Handle> handles = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);
    private final int max;

    HandleTable(int max) {
        this.max = max;
    }

    long add(Handle h) throws FsException {
        if (handles.size() >= max) {
            throw new FsException.TooManyOpenFiles(handles.size() + " handles open (bound " + max + ")");
        }
        long fh = next.getAndIncrement();
        handles.put(fh, h);
        return fh;
    }

    Handle.FileHandle file(long ino, long fh) throws FsException {
        if (handles.get(fh) instanceof Handle.FileHandle f && f.node().ino == ino) {
            return f;
        }
        throw new FsException.BadHandle("no open file handle " + fh + " for inode " + ino);
    }

    Handle.DirHandle dir(long ino, long fh) throws FsException {
        if (handles.get(fh) instanceof Handle.DirHandle d && d.node().ino == ino) {
            return d;
        }
        throw new FsException.BadHandle("no open directory handle " + fh + " for inode " + ino);
    }

    Handle remove(long fh) {
        return handles.remove(fh);
    }

    int size() {
        return handles.size();
    }

    /** The open handles at this moment, by number. */
    java.util.List<java.util.Map.Entry<Long, Handle>> snapshot() {
        return java.util.List.copyOf(handles.entrySet());
    }
}
