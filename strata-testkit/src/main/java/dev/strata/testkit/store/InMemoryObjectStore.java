package dev.strata.testkit.store;

import dev.strata.core.store.Listings;
import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.ObjectStoreException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * A strict in-process {@link ObjectStore}, more intolerant than S3 so that code passing against it
 * passes against any real store:
 * <ul>
 *   <li>keys and metadata are checked by the port's rules ({@link ObjectKeys});</li>
 *   <li>every body's CRC32C is verified; every write (put, complete, copy, setMetadata) gets a new
 *       etag, even with the same bytes, so code relying on content-derived etags fails here;</li>
 *   <li>multipart: unknown or aborted upload ids, a key not the upload's, part numbers outside
 *       1..maxParts, parts over maxPartBytes are refused; a complete must list parts 1..n in
 *       order (S3 allows gaps; Strata never means them), each with the tag and size its
 *       {@code uploadPart} returned, all but the last at least minPartBytes;</li>
 *   <li>listings report {@code metadataKnown = false}, as S3 does, and may lag behind writes by
 *       {@link #setListingLag N writes} until {@link #settle()};</li>
 *   <li>calls after {@link #close()} fail with {@code Permanent}.</li>
 * </ul>
 * It counts calls per {@link StoreOp} and bytes read, so tests can assert, say, that a sequential
 * reader does not fetch a range twice. One lock guards everything: the fake is for correctness, not
 * speed, and serialising calls keeps its behaviour easy to reason about.
 */
public final class InMemoryObjectStore implements ObjectStore {
    /** S3's limits: 5 MiB smallest part, 5 GiB largest part and put, 10,000 parts. */
    public static final Limits S3_LIMITS = new Limits(5L << 20, 5L << 30, 10_000, 5L << 30);

    private record StoredObject(byte[] bytes, String etag, Instant lastModified, Map<String, String> metadata) {}

    private record StagedPart(byte[] bytes, String tag) {}

    private record PendingUpload(String key, Map<String, String> metadata, TreeMap<Integer, StagedPart> parts) {}

    /** A completed upload, remembered so a repeated complete can answer with the object. */
    private record Completed(String key, String etag) {}

    /** A write not yet visible to listings: the object, or null for a delete. */
    private record ListingUpdate(String key, StoredObject object) {}

    private final InstantSource clock;
    private final Limits limits;
    private final Object lock = new Object();
    private final TreeMap<String, StoredObject> objects = new TreeMap<>(ObjectKeys.UTF8_ORDER);
    private final TreeMap<String, StoredObject> listed = new TreeMap<>(ObjectKeys.UTF8_ORDER);
    private final ArrayDeque<ListingUpdate> unlisted = new ArrayDeque<>();
    private final Map<String, PendingUpload> uploads = new HashMap<>();
    private final Map<String, Completed> completed = new HashMap<>();
    private final EnumMap<StoreOp, AtomicLong> calls = new EnumMap<>(StoreOp.class);
    private final AtomicLong bytesRead = new AtomicLong();
    private long sequence;
    private int listingLag;
    private boolean forgetCompletedUploads;
    private boolean closed;

    public InMemoryObjectStore() {
        this(InstantSource.system(), S3_LIMITS);
    }

    public InMemoryObjectStore(InstantSource clock, Limits limits) {
        this.clock = clock;
        this.limits = limits;
        for (StoreOp op : StoreOp.values()) {
            calls.put(op, new AtomicLong());
        }
    }

    /** Lets listings trail the newest {@code writes} writes (0: listings are current). */
    public void setListingLag(int writes) {
        if (writes < 0) {
            throw new IllegalArgumentException("lag must not be negative: " + writes);
        }
        synchronized (lock) {
            listingLag = writes;
            catchUp(writes);
        }
    }

    /**
     * Answers a repeated complete with {@code NotFound}, as S3 does once it forgot a completed
     * upload (which the port asks adapters to cover), to test code that must cope on its own.
     */
    public void setForgetCompletedUploads(boolean forget) {
        synchronized (lock) {
            forgetCompletedUploads = forget;
        }
    }

    /** Makes listings reflect every write so far. */
    public void settle() {
        synchronized (lock) {
            catchUp(0);
        }
    }

    /** How often {@code op} was called, successful or not. */
    public long calls(StoreOp op) {
        return calls.get(op).get();
    }

    /** Bytes returned by {@link #read} in total. */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** The number of started uploads neither completed nor aborted (a leak check for tests). */
    public int pendingUploads() {
        synchronized (lock) {
            return uploads.size();
        }
    }

    @Override
    public String describe() {
        return "mem://" + Integer.toHexString(System.identityHashCode(this));
    }

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws ObjectStoreException {
        enter(StoreOp.HEAD, key);
        synchronized (lock) {
            StoredObject o = objects.get(key);
            return o == null ? Optional.empty() : Optional.of(info(key, o, true));
        }
    }

    @Override
    public int read(String key, long offset, ByteBuffer dst, String ifMatch) throws ObjectStoreException {
        enter(StoreOp.READ, key);
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " reading " + key);
        }
        synchronized (lock) {
            StoredObject o = existing(key);
            if (ifMatch != null && !ifMatch.equals(o.etag())) {
                throw new ObjectStoreException.PreconditionFailed(
                        describe() + ": " + key + " is at etag " + o.etag() + ", not " + ifMatch);
            }
            if (offset >= o.bytes().length) {
                return 0;
            }
            int n = (int) Math.min(dst.remaining(), o.bytes().length - offset);
            dst.put(o.bytes(), (int) offset, n);
            bytesRead.addAndGet(n);
            return n;
        }
    }

    @Override
    public ObjectInfo put(String key, ByteBuffer content, int crc32c, Map<String, String> metadata)
            throws ObjectStoreException {
        enter(StoreOp.PUT, key);
        ObjectKeys.checkMetadata(describe(), metadata);
        byte[] bytes = checkedBytes(key, content, crc32c);
        if (bytes.length > limits.maxPutBytes()) {
            throw new ObjectStoreException.Permanent(describe() + ": put of " + bytes.length + " bytes to " + key
                    + " exceeds maxPutBytes " + limits.maxPutBytes(), null);
        }
        if (ObjectKeys.isMarker(key) && bytes.length > 0) {
            throw new ObjectStoreException.Permanent(
                    describe() + ": directory marker " + key + " must be empty, got " + bytes.length + " bytes", null);
        }
        synchronized (lock) {
            return store(key, bytes, metadata);
        }
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata) throws ObjectStoreException {
        enter(StoreOp.START_UPLOAD, key);
        ObjectKeys.checkMetadata(describe(), metadata);
        if (ObjectKeys.isMarker(key)) {
            throw new ObjectStoreException.Permanent(describe() + ": a directory marker is not uploaded in parts: " + key, null);
        }
        synchronized (lock) {
            String id = "upload-" + (++sequence);
            uploads.put(id, new PendingUpload(key, Map.copyOf(metadata), new TreeMap<>()));
            return new Upload(key, id);
        }
    }

    @Override
    public Part uploadPart(Upload upload, int partNumber, ByteBuffer content, int crc32c) throws ObjectStoreException {
        enter(StoreOp.UPLOAD_PART, upload.key());
        if (partNumber < 1 || partNumber > limits.maxParts()) {
            throw new ObjectStoreException.Permanent(describe() + ": part number " + partNumber + " of " + upload.key()
                    + " outside 1.." + limits.maxParts(), null);
        }
        byte[] bytes = checkedBytes(upload.key(), content, crc32c);
        if (bytes.length > limits.maxPartBytes()) {
            throw new ObjectStoreException.Permanent(describe() + ": part " + partNumber + " of " + upload.key()
                    + " holds " + bytes.length + " bytes, more than maxPartBytes " + limits.maxPartBytes(), null);
        }
        synchronized (lock) {
            PendingUpload pending = pending(upload);
            String tag = "part-" + partNumber + "-" + (++sequence);
            pending.parts().put(partNumber, new StagedPart(bytes, tag));
            return new Part(partNumber, bytes.length, tag);
        }
    }

    @Override
    public ObjectInfo completeUpload(Upload upload, List<Part> parts) throws ObjectStoreException {
        enter(StoreOp.COMPLETE_UPLOAD, upload.key());
        synchronized (lock) {
            Completed done = completed.get(upload.id());
            if (done != null && done.key().equals(upload.key()) && !forgetCompletedUploads) {
                StoredObject o = objects.get(done.key());
                if (o != null && o.etag().equals(done.etag())) {
                    return info(done.key(), o, true);
                }
            }
            PendingUpload pending = pending(upload);
            byte[] whole = assemble(upload, pending, parts);
            uploads.remove(upload.id());
            ObjectInfo info = store(upload.key(), whole, pending.metadata());
            completed.put(upload.id(), new Completed(upload.key(), info.etag()));
            return info;
        }
    }

    @Override
    public void abortUpload(Upload upload) throws ObjectStoreException {
        enter(StoreOp.ABORT_UPLOAD, upload.key());
        synchronized (lock) {
            PendingUpload pending = uploads.get(upload.id());
            if (pending != null && pending.key().equals(upload.key())) {
                uploads.remove(upload.id());
            }
        }
    }

    @Override
    public void delete(String key) throws ObjectStoreException {
        enter(StoreOp.DELETE, key);
        synchronized (lock) {
            if (objects.remove(key) != null) {
                publish(key, null);
            }
        }
    }

    @Override
    public ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        checkOpen(StoreOp.LIST);
        if (!prefix.isEmpty()) {
            String problem = ObjectKeys.keyProblem(prefix.endsWith("/") ? prefix : prefix + "x");
            if (problem != null) {
                throw new ObjectStoreException.Permanent(describe() + ": refusing prefix \"" + prefix + "\": " + problem, null);
            }
        }
        synchronized (lock) {
            TreeMap<String, StoredObject> view = listingLag == 0 ? objects : listed;
            return Listings.page(describe(), view.tailMap(prefix, true).keySet().iterator(),
                    key -> info(key, view.get(key), false), prefix, delimited, continuation, Math.min(maxKeys, 1000));
        }
    }

    @Override
    public ObjectInfo copy(String from, String to, Map<String, String> metadata) throws ObjectStoreException {
        enter(StoreOp.COPY, to);
        ObjectKeys.checkKey(describe(), from);
        ObjectKeys.checkMetadata(describe(), metadata);
        synchronized (lock) {
            StoredObject source = existing(from);
            if (ObjectKeys.isMarker(to) && source.bytes().length > 0) {
                throw new ObjectStoreException.Permanent(describe() + ": cannot copy " + from + " onto marker " + to, null);
            }
            return store(to, source.bytes(), metadata);
        }
    }

    @Override
    public ObjectInfo setMetadata(String key, Map<String, String> metadata) throws ObjectStoreException {
        enter(StoreOp.SET_METADATA, key);
        ObjectKeys.checkMetadata(describe(), metadata);
        synchronized (lock) {
            return store(key, existing(key).bytes(), metadata);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    // ---------------------------------------------------------------- internals (under lock)

    private ObjectInfo store(String key, byte[] bytes, Map<String, String> metadata) {
        StoredObject o = new StoredObject(bytes, "\"mem-" + (++sequence) + "\"", clock.instant(), Map.copyOf(metadata));
        objects.put(key, o);
        publish(key, o);
        return info(key, o, true);
    }

    private void publish(String key, StoredObject o) {
        unlisted.addLast(new ListingUpdate(key, o));
        catchUp(listingLag);
    }

    private void catchUp(int keepPending) {
        while (unlisted.size() > keepPending) {
            ListingUpdate u = unlisted.removeFirst();
            if (u.object() == null) {
                listed.remove(u.key());
            } else {
                listed.put(u.key(), u.object());
            }
        }
    }

    private byte[] assemble(Upload upload, PendingUpload pending, List<Part> parts) throws ObjectStoreException {
        String what = describe() + ": completing " + upload.key() + " (" + upload.id() + "): ";
        if (parts.isEmpty()) {
            throw new ObjectStoreException.Permanent(what + "no parts listed", null);
        }
        long total = 0;
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            if (p.number() != i + 1) {
                throw new ObjectStoreException.Permanent(what + "parts must be 1.." + parts.size()
                        + " in order; position " + i + " holds part " + p.number(), null);
            }
            StagedPart staged = pending.parts().get(p.number());
            if (staged == null || !staged.tag().equals(p.tag()) || staged.bytes().length != p.sizeBytes()) {
                throw new ObjectStoreException.Permanent(what + "part " + p.number() + " with tag " + p.tag()
                        + " and " + p.sizeBytes() + " bytes was not staged"
                        + (staged == null ? "" : " (staged: tag " + staged.tag() + ", " + staged.bytes().length + " bytes)"), null);
            }
            if (i < parts.size() - 1 && p.sizeBytes() < limits.minPartBytes()) {
                throw new ObjectStoreException.Permanent(what + "part " + p.number() + " holds " + p.sizeBytes()
                        + " bytes, less than minPartBytes " + limits.minPartBytes() + " (EntityTooSmall)", null);
            }
            total += p.sizeBytes();
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new ObjectStoreException.Permanent(what + total + " bytes do not fit the in-memory fake", null);
        }
        byte[] whole = new byte[(int) total];
        int at = 0;
        for (Part p : parts) {
            byte[] b = pending.parts().get(p.number()).bytes();
            System.arraycopy(b, 0, whole, at, b.length);
            at += b.length;
        }
        return whole;
    }

    private PendingUpload pending(Upload upload) throws ObjectStoreException.NotFound {
        PendingUpload pending = uploads.get(upload.id());
        if (pending == null || !pending.key().equals(upload.key())) {
            throw new ObjectStoreException.NotFound(describe() + ": no upload " + upload.id() + " for " + upload.key()
                    + " (NoSuchUpload: never started, aborted or completed)");
        }
        return pending;
    }

    private StoredObject existing(String key) throws ObjectStoreException.NotFound {
        StoredObject o = objects.get(key);
        if (o == null) {
            throw new ObjectStoreException.NotFound(describe() + ": no object " + key);
        }
        return o;
    }

    private static ObjectInfo info(String key, StoredObject o, boolean withMetadata) {
        if (o == null) {
            return null;
        }
        return new ObjectInfo(key, o.bytes().length, o.etag(), o.lastModified(),
                withMetadata ? o.metadata() : Map.of(), withMetadata);
    }

    // ---------------------------------------------------------------- checks outside the lock

    private void enter(StoreOp op, String key) throws ObjectStoreException {
        checkOpen(op);
        ObjectKeys.checkKey(describe(), key);
    }

    private void checkOpen(StoreOp op) throws ObjectStoreException.Permanent {
        calls.get(op).incrementAndGet();
        synchronized (lock) {
            if (closed) {
                throw new ObjectStoreException.Permanent(describe() + ": store is closed", null);
            }
        }
    }

    private byte[] checkedBytes(String key, ByteBuffer content, int crc32c) throws ObjectStoreException.Permanent {
        ByteBuffer view = content.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        if ((int) crc.getValue() != crc32c) {
            throw new ObjectStoreException.Permanent(String.format(
                    "%s: body for %s has CRC32C %08x, the request said %08x (BadDigest)",
                    describe(), key, (int) crc.getValue(), crc32c), null);
        }
        return bytes;
    }
}
