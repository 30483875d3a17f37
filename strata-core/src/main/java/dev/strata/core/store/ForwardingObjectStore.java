package dev.strata.core.store;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link ObjectStore} that hands every call to another one. Retry, fault injection, metrics and
 * prefixing are subclasses overriding the calls they change, so each concern is one small class
 * and they stack in any order (Okio's {@code ForwardingFileSystem}).
 */
public class ForwardingObjectStore implements ObjectStore {
    private final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** The store this one forwards to. */
    protected final ObjectStore delegate() {
        return delegate;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public Limits limits() {
        return delegate.limits();
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws ObjectStoreException {
        return delegate.head(key);
    }

    @Override
    public int read(String key, long offset, ByteBuffer dst, String ifMatch) throws ObjectStoreException {
        return delegate.read(key, offset, dst, ifMatch);
    }

    @Override
    public ObjectInfo put(String key, ByteBuffer content, int crc32c, Map<String, String> metadata)
            throws ObjectStoreException {
        return delegate.put(key, content, crc32c, metadata);
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata) throws ObjectStoreException {
        return delegate.startUpload(key, metadata);
    }

    @Override
    public Part uploadPart(Upload upload, int partNumber, ByteBuffer content, int crc32c) throws ObjectStoreException {
        return delegate.uploadPart(upload, partNumber, content, crc32c);
    }

    @Override
    public ObjectInfo completeUpload(Upload upload, List<Part> parts) throws ObjectStoreException {
        return delegate.completeUpload(upload, parts);
    }

    @Override
    public void abortUpload(Upload upload) throws ObjectStoreException {
        delegate.abortUpload(upload);
    }

    @Override
    public void delete(String key) throws ObjectStoreException {
        delegate.delete(key);
    }

    @Override
    public ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        return delegate.list(prefix, delimited, continuation, maxKeys);
    }

    @Override
    public ObjectInfo copy(String from, String to, Map<String, String> metadata) throws ObjectStoreException {
        return delegate.copy(from, to, metadata);
    }

    @Override
    public ObjectInfo setMetadata(String key, Map<String, String> metadata) throws ObjectStoreException {
        return delegate.setMetadata(key, metadata);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
