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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.zip.CRC32C;

/**
 * Reads of released files, served from the object store by range without a restore.
 *
 * <p>Each file being read has a {@link Stream}: {@value #CHUNK}-byte chunks fetched by ranged GETs
 * pinned to the object's tag, in parallel on virtual threads. A sequential reader — any chunk from
 * just behind its last one to the end of what is fetched ahead, since FUSE delivers a reader's
 * READs a little out of order — gets more chunks fetched ahead each time it moves on (1, 2, 4 …
 * up to {@link HsmOptions#readAheadMaxBytes}); a random reader gets the chunk it asks for. Memory:
 * the chunks ahead plus two behind per stream, at most {@value #MAX_STREAMS} streams (least
 * recently used dropped).
 *
 * <p><b>Integrity.</b> Chunks read in order from offset 0 feed a running CRC32C; when it reaches
 * the end of the object it is compared with the recorded whole-object CRC32C before the last chunk
 * is served. A mismatch marks the file lost and fails the read with EIO. A random reader's bytes
 * are pinned to the archived version by the tag but not checksummed here (the store has no
 * per-range checksum of our parts to compare with): {@code strata hsm restore} verifies the whole.
 */
final class ReleasedReads {
    static final int MAX_STREAMS = 32;
    /** The unit of ranged reads and of the read-ahead. */
    static final int CHUNK = 2 << 20;

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

    private final class Stream {
        final long ino;
        final String key;
        final String etag;
        final long objectSize;
        final int crc32c;
        /** Chunks fetched or being fetched, by index. */
        final Map<Long, CompletableFuture<ByteBuffer>> chunks = new HashMap<>();
        /** The chunk of the last read, -1 before the first. */
        long lastChunk = -1;
        /** Chunks fetched ahead of the reader; grows while it stays sequential. */
        int ahead;
        /** Running CRC32C over the chunks in order from 0, and the next chunk it needs. */
        final CRC32C crc = new CRC32C();
        long crcNext;
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
                long idx = at / CHUNK;
                ByteBuffer chunk = chunk(idx);
                long chunkStart = idx * CHUNK;
                int n = (int) Math.min(want - copied, chunkStart + chunk.limit() - at);
                if (n <= 0) {
                    break;
                }
                MemorySegment.copy(MemorySegment.ofBuffer(chunk), at - chunkStart, dst, copied, n);
                copied += n;
            }
            return copied;
        }

        /**
         * The chunk {@code idx}, starting the fetches ahead of a sequential reader. FUSE delivers a
         * reader's READs a little out of order (several in flight, several workers), so "sequential"
         * is any chunk from just behind the last one to the end of what is being fetched ahead.
         */
        private ByteBuffer chunk(long idx) throws FsException {
            boolean sequential = lastChunk >= 0 ? idx >= lastChunk - 1 && idx <= lastChunk + ahead + 1 : idx == 0;
            if (!sequential) {
                ahead = 0;
            } else if (idx > lastChunk) {
                ahead = Math.max(1, Math.min(ahead * 2, maxAhead()));
            }
            if (idx > lastChunk || !sequential) {
                lastChunk = idx;
            }
            CompletableFuture<ByteBuffer> f = start(idx);
            for (int k = 1; k <= ahead; k++) {
                start(idx + k);
            }
            chunks.keySet().removeIf(i -> {
                boolean drop = i < idx - 2 || i > idx + ahead + 1;
                if (drop) {
                    chunks.get(i).cancel(true);
                }
                return drop;
            });
            ByteBuffer b = await(f);
            verifyInOrder();
            return b;
        }

        private int maxAhead() {
            return Math.max(1, t.options.readAheadMaxBytes() / CHUNK);
        }

        private CompletableFuture<ByteBuffer> start(long idx) {
            if (idx * CHUNK >= objectSize) {
                return CompletableFuture.completedFuture(ByteBuffer.allocate(0));
            }
            return chunks.computeIfAbsent(idx, i -> CompletableFuture.supplyAsync(() -> {
                try {
                    return fetch(i * CHUNK, (int) Math.min(CHUNK, objectSize - i * CHUNK));
                } catch (FsException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, t.fetchers));
        }

        /** Feeds finished chunks to the running CRC32C in order; at the end compares with the archived one. */
        private void verifyInOrder() throws FsException {
            while (!crcBroken && crcNext * CHUNK < objectSize) {
                CompletableFuture<ByteBuffer> f = chunks.get(crcNext);
                if (f == null) {
                    if (lastChunk > crcNext + 2) {
                        crcBroken = true; // a random reader skipped a chunk: no whole-object check
                    }
                    return;
                }
                if (!f.isDone()) {
                    return;
                }
                crc.update(await(f).duplicate());
                crcNext++;
            }
            if (!crcBroken && crcNext * CHUNK >= objectSize && crc32c != 0 && (int) crc.getValue() != crc32c) {
                crcBroken = true;
                throw t.restorer.markLost(ino, String.format("archived object %s fails its CRC32C (%08x, expected %08x)",
                        key, (int) crc.getValue(), crc32c));
            }
        }

        private ByteBuffer await(CompletableFuture<ByteBuffer> f) throws FsException {
            try {
                return f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
                if (c instanceof FsException fe) {
                    throw fe;
                }
                throw new FsException.IoFailure("read-ahead of inode " + ino + " failed: " + c);
            } catch (java.util.concurrent.CancellationException e) {
                throw new FsException.IoFailure("read of inode " + ino + " was cancelled; retry");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FsException.IoFailure("read of inode " + ino + " interrupted");
            }
        }

        /** One ranged read, pinned to the archived version. */
        private ByteBuffer fetch(long start, int n) throws FsException {
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
            return buf.flip();
        }
    }
}
