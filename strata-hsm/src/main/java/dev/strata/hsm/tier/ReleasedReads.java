package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.hsm.HsmRecord;
import dev.strata.hsm.HsmState;
import dev.strata.hsm.HsmTransitions;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.zip.CRC32C;

/**
 * Reads of released files, served from the object store by range without a restore.
 *
 * <p>Each file being read has a {@link Stream}: the current window of bytes fetched by one ranged
 * GET pinned to the object's tag, and, for a sequential reader, the next window already on its way
 * (fetched by a virtual thread as soon as the reader enters the current one). Windows start at
 * 1 MiB and double while the reader stays sequential, up to {@link HsmOptions#readAheadMaxBytes}.
 * Memory: at most three windows per stream (the one before the current, for reads delivered out
 * of order), at most {@value #MAX_STREAMS} streams (least recently
 * used dropped).
 *
 * <p><b>Integrity.</b> Windows fetched in order from offset 0 feed a running CRC32C; when they
 * reach the end of the object it is compared with the recorded whole-object CRC32C before the last
 * window is served. A mismatch marks the file lost and fails the read with EIO. A random reader's
 * bytes are pinned to the archived version by the tag but not checksummed here (the store has no
 * per-range checksum of our parts to compare with): {@code strata hsm restore} verifies the whole.
 */
final class ReleasedReads {
    static final int MAX_STREAMS = 64;
    private static final int FIRST_WINDOW = 1 << 20;
    private static final int ALIGN = 128 << 10;

    private final HsmTiering t;
    private final Map<Long, Stream> streams = new LinkedHashMap<>(16, 0.75f, true);

    ReleasedReads(HsmTiering t) {
        this.t = t;
    }

    int read(InodeRecord file, long offset, MemorySegment dst) throws FsException {
        long size = file.sizeBytes();
        if (offset >= size || dst.byteSize() == 0) {
            return 0;
        }
        Stream s = stream(file.ino());
        synchronized (s) {
            return s.read(offset, dst, size);
        }
    }

    /** Drops what is cached for {@code ino} (its object or state changed). */
    void forget(long ino) {
        synchronized (streams) {
            streams.remove(ino);
        }
    }

    private Stream stream(long ino) throws FsException {
        synchronized (streams) {
            Stream s = streams.get(ino);
            if (s != null) {
                return s;
            }
        }
        HsmRecord rec = HsmTransitions.current(t.meta(), ino);
        if (rec.state() == HsmState.LOST) {
            throw new FsException.IoFailure("inode " + ino + " is lost: " + rec.lastError());
        }
        if (!rec.hasArchivedCopy()) {
            throw new FsException.IoFailure("inode " + ino + " is released but has no archived copy");
        }
        ObjectInfo object = t.restorer.locate(ino, HsmTransitions.current(t.meta(), ino));
        Stream s = new Stream(ino, object.key(), object.etag(), object.sizeBytes(), rec.crc32c());
        synchronized (streams) {
            streams.put(ino, s);
            if (streams.size() > MAX_STREAMS) {
                var it = streams.entrySet().iterator();
                it.next();
                it.remove();
            }
        }
        return s;
    }

    private record Window(long start, ByteBuffer bytes) {
        long end() {
            return start + bytes.limit();
        }

        boolean covers(long offset) {
            return offset >= start && offset < end();
        }
    }

    private final class Stream {
        final long ino;
        final String key;
        final String etag;
        final long objectSize;
        final int crc32c;
        Window current;
        /** The window before {@link #current}, kept for reads that arrive late. */
        Window previous;
        CompletableFuture<Window> next;
        long nextStart = -1;
        int windowBytes = FIRST_WINDOW;
        /** Running CRC32C over windows fetched in order from 0, and how far it has got. */
        final CRC32C crc = new CRC32C();
        long crcEnd;
        boolean crcBroken;

        Stream(long ino, String key, String etag, long objectSize, int crc32c) {
            this.ino = ino;
            this.key = key;
            this.etag = etag;
            this.objectSize = objectSize;
            this.crc32c = crc32c;
        }

        int read(long offset, MemorySegment dst, long fileSize) throws FsException {
            long limit = Math.min(fileSize, objectSize);
            int copied = 0;
            long want = Math.min(dst.byteSize(), limit - offset);
            while (copied < want) {
                long at = offset + copied;
                Window w = windowFor(at);
                int n = (int) Math.min(want - copied, w.end() - at);
                MemorySegment.copy(MemorySegment.ofBuffer(w.bytes()), at - w.start(), dst, copied, n);
                copied += n;
            }
            return copied;
        }

        private Window windowFor(long at) throws FsException {
            if (current != null && current.covers(at)) {
                prefetchAfter(current);
                return current;
            }
            if (previous != null && previous.covers(at)) {
                // A read the kernel sent earlier but a slower worker delivered late: FUSE's async
                // reads arrive a little out of order. Not a change of direction.
                return previous;
            }
            boolean sequential = current != null && at == current.end();
            if (next != null && nextStart <= at && at < nextStart + windowBytes) {
                previous = current;
                current = await(next);
                next = null;
                if (current.covers(at)) {
                    windowBytes = Math.min(windowBytes * 2, t.options.readAheadMaxBytes());
                    prefetchAfter(current);
                    return current;
                }
            }
            if (!sequential) {
                windowBytes = FIRST_WINDOW;
            }
            if (next != null) {
                next.cancel(true);
                next = null;
            }
            long start = at / ALIGN * ALIGN;
            previous = current;
            current = fetch(start, windowBytes);
            prefetchAfter(current);
            return current;
        }

        private void prefetchAfter(Window w) {
            if (next != null || w.end() >= objectSize) {
                return;
            }
            long start = w.end();
            int len = Math.min(windowBytes, t.options.readAheadMaxBytes());
            nextStart = start;
            next = CompletableFuture.supplyAsync(() -> {
                try {
                    return fetch(start, len);
                } catch (FsException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, t.fetchers);
        }

        private Window await(CompletableFuture<Window> f) throws FsException {
            try {
                return f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
                if (c instanceof FsException fe) {
                    throw fe;
                }
                throw new FsException.IoFailure("read-ahead of inode " + ino + " failed: " + c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FsException.IoFailure("read of inode " + ino + " interrupted");
            }
        }

        /** One ranged read, pinned to the archived version; checks the running CRC32C (see the class comment). */
        private Window fetch(long start, int len) throws FsException {
            int n = (int) Math.min(len, objectSize - start);
            ByteBuffer buf = ByteBuffer.allocate(Math.max(n, 0));
            try {
                while (buf.hasRemaining()) {
                    if (t.store.read(key, start + buf.position(), buf, etag) == 0) {
                        break;
                    }
                }
            } catch (ObjectStoreException.PreconditionFailed | ObjectStoreException.NotFound e) {
                forget(ino); // the next read locates the object again (renamed, new tag) or finds it lost
                throw new FsException.IoFailure("archived object " + key + " of inode " + ino
                        + " changed or vanished; retry the read: " + e.getMessage());
            } catch (ObjectStoreException e) {
                FsException f = new FsException.IoFailure("reading inode " + ino + " from " + key + ": " + e.getMessage());
                f.initCause(e);
                throw f;
            }
            if (buf.position() != n) {
                throw t.restorer.markLost(ino, "archived object " + key + " is shorter than its " + objectSize + " bytes");
            }
            buf.flip();
            synchronized (crc) {
                if (!crcBroken && start == crcEnd) {
                    crc.update(buf.duplicate());
                    crcEnd += n;
                    if (crcEnd == objectSize && crc32c != 0 && (int) crc.getValue() != crc32c) {
                        throw t.restorer.markLost(ino, String.format("archived object %s fails its CRC32C "
                                + "(%08x, expected %08x)", key, (int) crc.getValue(), crc32c));
                    }
                } else if (start > crcEnd) {
                    crcBroken = true;
                }
            }
            return new Window(start, buf);
        }
    }
}
