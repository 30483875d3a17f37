package dev.strata.core.store;

import dev.strata.core.store.ObjectStore.Limits;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.zip.CRC32C;

/**
 * Moves whole files to and from an {@link ObjectStore} in parallel with bounded memory: how the
 * mover archives a file and how a released file is brought back.
 *
 * <p><b>Memory bound.</b> Uploads and downloads own {@code parallelism + 1} (upload) or
 * {@code parallelism} (download) buffers of one part or chunk each, taken from a fixed pool; the
 * thread filling the next part waits for a buffer, so no more than {@code parallelism} requests
 * are in flight and memory never exceeds the pool, whatever the file size. Worker threads are
 * virtual threads of an executor private to the transfer, closed before the call returns.
 *
 * <p><b>Checksums.</b> Upload reads the source sequentially, so the whole-object CRC32C is computed
 * in order as the bytes go out, at no extra read; each part also carries its own CRC32C for the
 * store to verify. Download writes chunks out of order, so its whole-object CRC32C is computed
 * afterwards by reading the target back in order rather than by combining chunk CRCs: the JDK
 * has no crc32c_combine, the file was just written and sits in the page cache (CRC32C runs at
 * 3-4 GB/s here), and it checksums the bytes as they now are in the file the caller will trust.
 */
public final class Transfers {
    private static final long MIB = 1 << 20;

    /**
     * @param putThresholdBytes objects up to this size go in one {@link ObjectStore#put}
     * @param partSizeBytes the preferred part size of a multipart upload (raised to the store's
     *     minimum, and as needed to stay within its part count)
     * @param chunkSizeBytes the range size of a download's reads
     * @param parallelism requests in flight at most
     */
    public record Options(long putThresholdBytes, long partSizeBytes, long chunkSizeBytes, int parallelism) {
        public static final Options DEFAULT = new Options(16 * MIB, 16 * MIB, 8 * MIB, 4);

        public Options {
            if (putThresholdBytes < 0 || partSizeBytes < 1 || chunkSizeBytes < 1 || chunkSizeBytes > Integer.MAX_VALUE
                    || parallelism < 1) {
                throw new IllegalArgumentException("bad transfer options: put threshold " + putThresholdBytes + ", part "
                        + partSizeBytes + ", chunk " + chunkSizeBytes + ", parallelism " + parallelism);
            }
        }
    }

    /**
     * Positional access to the local side of a transfer: a {@link FileChannel} ({@link #of}), or
     * the fast tier's own file handle, which is not one.
     */
    public interface Channel {
        /** Reads into {@code dst} at {@code position}; -1 at end of file. */
        int read(ByteBuffer dst, long position) throws IOException;

        /** Writes {@code src} at {@code position}, returning the bytes written. */
        int write(ByteBuffer src, long position) throws IOException;

        void truncate(long size) throws IOException;

        /** Makes the written bytes durable. */
        void force() throws IOException;

        static Channel of(FileChannel fc) {
            return new Channel() {
                @Override
                public int read(ByteBuffer dst, long position) throws IOException {
                    return fc.read(dst, position);
                }

                @Override
                public int write(ByteBuffer src, long position) throws IOException {
                    return fc.write(src, position);
                }

                @Override
                public void truncate(long size) throws IOException {
                    fc.truncate(size);
                }

                @Override
                public void force() throws IOException {
                    fc.force(false);
                }
            };
        }
    }

    /** The stored object and the CRC32C of all its bytes. */
    public record Result(ObjectInfo object, int crc32c) {}

    private Transfers() {}

    /**
     * Stores {@code size} bytes of {@code source} from position 0 under {@code key}. On any failure
     * a started multipart upload is aborted (so no parts linger and no object appears) and the
     * first failure is thrown.
     *
     * @throws IOException reading the source failed or it held fewer than {@code size} bytes
     */
    public static Result upload(ObjectStore store, String key, FileChannel source, long size,
            Map<String, String> metadata, Options options) throws ObjectStoreException, IOException, InterruptedException {
        return upload(store, key, Channel.of(source), size, metadata, options);
    }

    /** As {@link #upload(ObjectStore, String, FileChannel, long, Map, Options)} from any {@link Channel}. */
    public static Result upload(ObjectStore store, String key, Channel source, long size,
            Map<String, String> metadata, Options options) throws ObjectStoreException, IOException, InterruptedException {
        return upload(store, key, source, size, metadata, options, u -> { });
    }

    /** Told of a multipart upload once it exists, so a caller can abort it should this process die. */
    @FunctionalInterface
    public interface UploadStarted {
        void started(Upload upload) throws IOException;
    }

    /**
     * As {@link #upload(ObjectStore, String, Channel, long, Map, Options)}; {@code started} hears of
     * the multipart upload (if one is needed) before any part is sent.
     */
    public static Result upload(ObjectStore store, String key, Channel source, long size,
            Map<String, String> metadata, Options options, UploadStarted started)
            throws ObjectStoreException, IOException, InterruptedException {
        Limits limits = store.limits();
        if (size <= Math.min(options.putThresholdBytes(), limits.maxPutBytes())) {
            ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(size));
            readFully(source, 0, all, size);
            all.flip();
            int crc = crc(all);
            return new Result(store.put(key, all, crc, metadata), crc);
        }
        long partSize = partSize(size, limits, options);
        int partCount = Math.toIntExact((size + partSize - 1) / partSize);
        Upload upload = store.startUpload(key, metadata);
        try {
            started.started(upload);
        } catch (IOException | RuntimeException e) {
            abortQuietly(store, upload, e);
            throw e;
        }
        BlockingQueue<ByteBuffer> pool = new ArrayBlockingQueue<>(options.parallelism() + 1);
        for (int i = 0; i <= options.parallelism(); i++) {
            pool.add(ByteBuffer.allocate(Math.toIntExact(Math.min(partSize, size))));
        }
        // Buffers bound memory (one filling, the rest in flight); the semaphore bounds requests.
        Semaphore inFlight = new Semaphore(options.parallelism());
        CRC32C whole = new CRC32C();
        List<Future<Part>> futures = new ArrayList<>();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                for (int n = 1; n <= partCount; n++) {
                    ByteBuffer buf = pool.take();
                    failFast(futures);
                    long offset = (n - 1) * partSize;
                    buf.clear().limit(Math.toIntExact(Math.min(partSize, size - offset)));
                    readFully(source, offset, buf, size);
                    buf.flip();
                    whole.update(buf.duplicate());
                    int partCrc = crc(buf);
                    int number = n;
                    inFlight.acquire();
                    futures.add(workers.submit(() -> {
                        try {
                            return store.uploadPart(upload, number, buf, partCrc);
                        } finally {
                            inFlight.release();
                            pool.add(buf);
                        }
                    }));
                }
                List<Part> parts = new ArrayList<>();
                for (Future<Part> f : futures) {
                    parts.add(result(f));
                }
                parts.sort(Comparator.comparingInt(Part::number));
                return new Result(store.completeUpload(upload, parts), (int) whole.getValue());
            } catch (ObjectStoreException | IOException | InterruptedException | RuntimeException e) {
                futures.forEach(f -> f.cancel(true));
                abortQuietly(store, upload, e);
                throw e;
            }
        }
    }

    /**
     * Writes the object {@code key} into {@code target} at its own offsets (truncating the target
     * to the object's size) by ranged reads in parallel, all pinned to one version: {@code ifMatch}
     * if given, else the etag head reports, so an object replaced mid-way fails with
     * {@code PreconditionFailed} instead of mixing versions. Fails with {@code Permanent} if the
     * object turns out shorter or longer than head said.
     */
    public static Result download(ObjectStore store, String key, String ifMatch, FileChannel target, Options options)
            throws ObjectStoreException, IOException, InterruptedException {
        return download(store, key, ifMatch, Channel.of(target), options);
    }

    /** As {@link #download(ObjectStore, String, String, FileChannel, Options)} into any {@link Channel}. */
    public static Result download(ObjectStore store, String key, String ifMatch, Channel target, Options options)
            throws ObjectStoreException, IOException, InterruptedException {
        ObjectInfo info = store.head(key).orElseThrow(() -> new ObjectStoreException.NotFound(store.describe() + ": no object " + key));
        if (ifMatch != null && !ifMatch.equals(info.etag())) {
            throw new ObjectStoreException.PreconditionFailed(
                    store.describe() + ": " + key + " is at etag " + info.etag() + ", not " + ifMatch);
        }
        String etag = info.etag();
        long size = info.sizeBytes();
        long chunk = options.chunkSizeBytes();
        long chunks = (size + chunk - 1) / chunk;
        BlockingQueue<ByteBuffer> pool = new ArrayBlockingQueue<>(options.parallelism());
        for (int i = 0; i < Math.min(options.parallelism(), Math.max(chunks, 1)); i++) {
            pool.add(ByteBuffer.allocate(Math.toIntExact(Math.min(chunk, Math.max(size, 1)))));
        }
        List<Future<Void>> futures = new ArrayList<>();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                for (long c = 0; c < chunks; c++) {
                    ByteBuffer buf = pool.take();
                    failFast(futures);
                    long offset = c * chunk;
                    int length = Math.toIntExact(Math.min(chunk, size - offset));
                    futures.add(workers.submit(() -> {
                        try {
                            fetch(store, key, etag, offset, buf, length);
                            buf.flip();
                            while (buf.hasRemaining()) {
                                target.write(buf, offset + buf.position());
                            }
                            return null;
                        } finally {
                            pool.add(buf);
                        }
                    }));
                }
                for (Future<Void> f : futures) {
                    result(f);
                }
            } catch (ObjectStoreException | IOException | InterruptedException | RuntimeException e) {
                futures.forEach(f -> f.cancel(true));
                throw e;
            }
        }
        if (store.read(key, size, ByteBuffer.allocate(1), etag) != 0) {
            throw new ObjectStoreException.Permanent(store.describe() + ": " + key + " is longer than the "
                    + size + " bytes head reported", null);
        }
        target.truncate(size);
        target.force();
        return new Result(info, crcOf(target, size));
    }

    /**
     * max(preferred, the store's minimum, ceil(size / maxParts) rounded up to whole MiB). The
     * rounding applies only when the part count decides, so stores with small test limits keep
     * small parts; whole MiB keep part boundaries aligned with the ranged reads of a released file.
     */
    static long partSize(long size, Limits limits, Options options) throws ObjectStoreException {
        long preferred = Math.max(options.partSizeBytes(), limits.minPartBytes());
        long forCount = (size + limits.maxParts() - 1) / limits.maxParts();
        if (forCount > preferred) {
            forCount = (forCount + MIB - 1) / MIB * MIB;
        }
        long partSize = Math.max(preferred, forCount);
        if (partSize > limits.maxPartBytes() || partSize > Integer.MAX_VALUE - 16) {
            throw new ObjectStoreException.Permanent("an object of " + size + " bytes needs parts of " + partSize
                    + " bytes, more than the store (" + limits.maxPartBytes() + ") or one buffer can hold", null);
        }
        return partSize;
    }

    private static void fetch(ObjectStore store, String key, String etag, long offset, ByteBuffer buf, int length)
            throws ObjectStoreException {
        buf.clear().limit(length);
        while (buf.hasRemaining()) {
            if (store.read(key, offset + buf.position(), buf, etag) == 0) {
                throw new ObjectStoreException.Permanent(store.describe() + ": " + key + " ended at "
                        + (offset + buf.position()) + ", before the size head reported", null);
            }
        }
    }

    private static void readFully(Channel source, long offset, ByteBuffer buf, long size) throws IOException {
        long at = offset;
        while (buf.hasRemaining()) {
            int n = source.read(buf, at);
            if (n < 0) {
                throw new IOException("source ended at byte " + at + " although the upload was told it holds " + size);
            }
            at += n;
        }
    }

    private static int crcOf(Channel file, long size) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(Math.max(size, 1), 4 * MIB));
        for (long at = 0; at < size; ) {
            buf.clear();
            int n = file.read(buf, at);
            if (n < 0) {
                throw new IOException("target ended at " + at + " of " + size + " bytes");
            }
            buf.flip();
            crc.update(buf);
            at += n;
        }
        return (int) crc.getValue();
    }

    private static int crc(ByteBuffer buf) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate());
        return (int) crc.getValue();
    }

    /** Throws the failure of any finished task, so a broken transfer stops reading early. */
    private static <T> void failFast(List<Future<T>> futures) throws ObjectStoreException, IOException, InterruptedException {
        for (Future<T> f : futures) {
            if (f.isDone()) {
                result(f);
            }
        }
    }

    private static <T> T result(Future<T> f) throws ObjectStoreException, IOException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case ObjectStoreException ose -> throw ose;
                case IOException io -> throw io;
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    private static void abortQuietly(ObjectStore store, Upload upload, Exception cause) {
        try {
            store.abortUpload(upload);
        } catch (ObjectStoreException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
