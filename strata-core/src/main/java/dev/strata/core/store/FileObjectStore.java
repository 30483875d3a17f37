package dev.strata.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import java.util.zip.CRC32C;

/**
 * The embedded default capacity tier, {@code file:///path}: a local directory that IS a readable
 * 1:1 mirror of the bucket. Key {@code a/b/c} is the regular file {@code ROOT/a/b/c}; marker
 * {@code a/b/} is the directory {@code ROOT/a/b} carrying an {@link ObjectRecord}; etag and user
 * metadata live in that record, the single user extended attribute {@code user.strata.object}
 * (one attribute so that metadata and etag change together in one setxattr).
 *
 * <p><b>Atomic appearance and durability.</b> Every new object is written in full to a temporary
 * file under {@code ROOT/.strata-staging/tmp} (same file system), given its record, fsynced, renamed
 * over the key's path, and the directory fsynced, before the call returns: a reader or a crash sees
 * the old object or the new one. Multipart parts are staged as files under
 * {@code ROOT/.strata-staging/uploads/ID/} and concatenated (copy_file_range via
 * {@link FileChannel#transferTo}) into a temporary file on completion. The staging directory is
 * never listed and keys under it are refused.
 *
 * <p><b>What a directory cannot do.</b> A file {@code a/b} and keys under {@code a/b/} would need
 * a file and a directory of the same name, so the second one is refused with {@code Permanent}
 * (the port leaves this to the store; Strata's namespace never asks for both). Deleting the last
 * key under a directory removes the directory unless it is a marker, as S3 "directories" vanish
 * with their last key. Components longer than 255 bytes are refused.
 *
 * <p><b>Concurrency.</b> Reads take no lock: a path always names a complete object. Changes to the
 * tree (the final rename, creating and pruning directories, markers) hold {@code treeLock}, so a
 * delete pruning an empty directory cannot remove it under a put about to rename into it; bytes
 * are written and fsynced outside it. One process owns a root: two processes sharing one would
 * race on pruning.
 */
public final class FileObjectStore implements ObjectStore {
    /** The reserved directory under the root; a key whose first component is this is refused. */
    public static final String STAGING = ".strata-staging";
    /** Same limits as S3, so the engine splits uploads the same way whatever the store. */
    public static final Limits LIMITS = new Limits(5L << 20, 5L << 30, 10_000, 5L << 30);
    private static final int MAX_NAME_BYTES = 255;

    private final Path root;
    private final Path staging;
    private final Path tmp;
    private final Path uploads;
    private final String description;
    private final RandomGenerator random;
    private final Object treeLock = new Object();
    private final AtomicLong writes = new AtomicLong();
    private final String incarnation;

    private FileObjectStore(Path root, RandomGenerator random) {
        this.root = root;
        this.staging = root.resolve(STAGING);
        this.tmp = staging.resolve("tmp");
        this.uploads = staging.resolve("uploads");
        this.description = root.toUri().toString();
        this.random = random;
        // Etags are "incarnation-counter": unique across restarts without scanning the tree.
        this.incarnation = Long.toHexString(random.nextLong() & Long.MAX_VALUE);
    }

    /**
     * Opens {@code file:///absolute/path}, an existing directory on a file system with user extended
     * attributes. Errors say what to do: a relative path, a missing directory, a file system
     * without xattrs (tmpfs before Linux 6.6, some FUSE mounts) are {@code Permanent}.
     */
    public static FileObjectStore open(String uri, RandomGenerator random) throws ObjectStoreException {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw permanent(uri, "not a URI (" + e.getMessage() + "); write file:///absolute/path", e);
        }
        if (!"file".equals(parsed.getScheme())) {
            throw permanent(uri, "the local object store takes a file: URI, such as file:///var/lib/strata/bucket", null);
        }
        if (parsed.isOpaque() || parsed.getPath() == null || !parsed.getPath().startsWith("/")) {
            throw permanent(uri, "the path is relative; write it absolute with three slashes, file:///absolute/path", null);
        }
        if (parsed.getAuthority() != null && !parsed.getAuthority().equals("localhost")) {
            throw permanent(uri, "host \"" + parsed.getAuthority() + "\" is not this machine; write file:///absolute/path", null);
        }
        return open(Path.of(parsed.getPath()), random);
    }

    /** Opens the store rooted at the existing directory {@code root}. */
    public static FileObjectStore open(Path root, RandomGenerator random) throws ObjectStoreException {
        String where = root.toUri().toString();
        if (!root.isAbsolute()) {
            throw permanent(where, "the root must be an absolute path", null);
        }
        if (!"UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) {
            throw permanent(where, "the JVM decodes file names as " + System.getProperty("sun.jnu.encoding")
                    + ", so keys beyond ASCII would not round-trip; start it with LANG=C.UTF-8", null);
        }
        if (!Files.isDirectory(root)) {
            throw permanent(where, Files.exists(root) ? "not a directory"
                    : "no such directory; create it (mkdir -p " + root + ") or point the store elsewhere", null);
        }
        FileObjectStore store = new FileObjectStore(root.normalize(), random);
        try {
            Files.createDirectories(store.tmp);
            Files.createDirectories(store.uploads);
            Path probe = store.tmp.resolve("xattr-probe-" + store.incarnation);
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            try {
                new ObjectRecord("\"probe\"", null, Map.of()).write(probe);
            } catch (IOException | UnsupportedOperationException e) {
                throw permanent(where, "the file system does not store user extended attributes (" + e.getMessage()
                        + "); use ext4, XFS or btrfs (tmpfs only from Linux 6.6)", e);
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (AccessDeniedException e) {
            throw permanent(where, "no permission to write " + e.getFile() + "; the store needs a writable directory", e);
        } catch (IOException e) {
            throw permanent(where, "cannot prepare " + store.staging + ": " + e, e);
        }
        return store;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws ObjectStoreException {
        check(key);
        try {
            return Optional.ofNullable(info(key));
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    @Override
    public int read(String key, long offset, ByteBuffer dst, String ifMatch) throws ObjectStoreException {
        check(key);
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " reading " + key);
        }
        if (ObjectKeys.isMarker(key)) {
            ObjectInfo marker = head(key).orElseThrow(() -> notFound(key));
            requireEtag(key, marker.etag(), ifMatch);
            return 0;
        }
        Path path = path(key);
        // Every write renames a new file with a new etag into place: an etag that is the same before
        // and after the read proves the bytes came from that version.
        for (int attempt = 0; ; attempt++) {
            try {
                String before = etag(path);
                int n;
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                    n = readFully(ch, offset, dst.duplicate());
                }
                String after = etag(path);
                if (before.equals(after) || attempt == 3) {
                    requireEtag(key, after, ifMatch);
                    if (!before.equals(after)) {
                        throw new ObjectStoreException.Transient(description + ": " + key + " kept changing while read", false, null);
                    }
                    dst.position(dst.position() + n);
                    return n;
                }
            } catch (NoSuchFileException e) {
                throw notFound(key);
            } catch (IOException e) {
                if (Files.isDirectory(path)) {
                    throw notFound(key);
                }
                throw failure(key, e);
            }
        }
    }

    @Override
    public ObjectInfo put(String key, ByteBuffer content, int crc32c, Map<String, String> metadata)
            throws ObjectStoreException {
        check(key);
        ObjectKeys.checkMetadata(description, metadata);
        verify(key, content, crc32c);
        if (content.remaining() > LIMITS.maxPutBytes()) {
            throw permanent(description, "put of " + content.remaining() + " bytes to " + key + " exceeds " + LIMITS.maxPutBytes(), null);
        }
        ObjectRecord record = new ObjectRecord(newEtag(), null, metadata);
        if (ObjectKeys.isMarker(key)) {
            if (content.hasRemaining()) {
                throw permanent(description, "directory marker " + key + " must be empty, got " + content.remaining() + " bytes", null);
            }
            return putMarker(key, record);
        }
        try {
            return installNew(key, record, out -> {
                ByteBuffer src = content.duplicate();
                while (src.hasRemaining()) {
                    out.write(src);
                }
            });
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata) throws ObjectStoreException {
        check(key);
        ObjectKeys.checkMetadata(description, metadata);
        if (ObjectKeys.isMarker(key)) {
            throw permanent(description, "a directory marker is not uploaded in parts: " + key, null);
        }
        byte[] idBytes = new byte[16];
        random.nextBytes(idBytes);
        String id = HexFormat.of().formatHex(idBytes);
        try {
            Path dir = uploads.resolve(id);
            Files.createDirectory(dir);
            // The record holds the metadata the object will get; its etag names the key.
            Path info = dir.resolve("upload");
            Files.writeString(info, key, StandardCharsets.UTF_8);
            new ObjectRecord("\"pending\"", id, metadata).write(info);
            return new Upload(key, id);
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    @Override
    public Part uploadPart(Upload upload, int partNumber, ByteBuffer content, int crc32c) throws ObjectStoreException {
        check(upload.key());
        if (partNumber < 1 || partNumber > LIMITS.maxParts()) {
            throw permanent(description, "part number " + partNumber + " of " + upload.key() + " outside 1.." + LIMITS.maxParts(), null);
        }
        if (content.remaining() > LIMITS.maxPartBytes()) {
            throw permanent(description, "part " + partNumber + " of " + upload.key() + " exceeds " + LIMITS.maxPartBytes() + " bytes", null);
        }
        verify(upload.key(), content, crc32c);
        Path dir = uploadDir(upload);
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "part-", ".tmp");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer src = content.duplicate();
                while (src.hasRemaining()) {
                    ch.write(src);
                }
                ch.force(true);
            }
            String tag = String.format("%08x-%s", crc32c, newEtag().replace("\"", ""));
            new ObjectRecord(tag, upload.id(), Map.of()).write(temp);
            Files.move(temp, partPath(dir, partNumber), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Part(partNumber, content.remaining(), tag);
        } catch (NoSuchFileException e) {
            throw uploadNotFound(upload);
        } catch (IOException e) {
            throw failure(upload.key(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    @Override
    public ObjectInfo completeUpload(Upload upload, List<Part> parts) throws ObjectStoreException {
        check(upload.key());
        Path dir;
        try {
            dir = uploadDir(upload);
        } catch (ObjectStoreException.NotFound e) {
            // A repeat after a success whose answer was lost: the object remembers its upload.
            ObjectInfo existing = head(upload.key()).orElse(null);
            if (existing != null && upload.id().equals(uploadIdOf(upload.key()))) {
                return existing;
            }
            throw e;
        }
        try {
            ObjectRecord pending = ObjectRecord.read(dir.resolve("upload"));
            Path staged = dir;
            ObjectInfo info = installNew(upload.key(), new ObjectRecord(newEtag(), upload.id(), pending.metadata()),
                    out -> MultipartAssembly.concatenate(description, upload, staged, parts, LIMITS, out));
            deleteTree(dir);
            return info;
        } catch (NoSuchFileException e) {
            throw uploadNotFound(upload);
        } catch (IOException e) {
            throw failure(upload.key(), e);
        }
    }

    @Override
    public void abortUpload(Upload upload) throws ObjectStoreException {
        check(upload.key());
        try {
            deleteTree(uploadDir(upload));
        } catch (ObjectStoreException.NotFound unknownIsFine) {
            // The port: aborting an unknown or finished upload is fine.
        } catch (IOException e) {
            throw failure(upload.key(), e);
        }
    }

    @Override
    public void delete(String key) throws ObjectStoreException {
        check(key);
        Path path = path(key);
        try {
            synchronized (treeLock) {
                BasicFileAttributes attrs = attributes(path);
                if (attrs == null) {
                    return;
                }
                if (ObjectKeys.isMarker(key) && attrs.isDirectory()) {
                    ObjectRecord.remove(path);
                    fsyncDirectory(path);
                    pruneEmpty(path);
                } else if (!ObjectKeys.isMarker(key) && attrs.isRegularFile()) {
                    Files.delete(path);
                    fsyncDirectory(path.getParent());
                    pruneEmpty(path.getParent());
                }
            }
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    @Override
    public ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        if (!prefix.isEmpty()) {
            String problem = ObjectKeys.keyProblem(prefix.endsWith("/") ? prefix : prefix + "x");
            if (problem != null) {
                throw permanent(description, "refusing prefix \"" + prefix + "\": " + problem, null);
            }
        }
        int slash = prefix.lastIndexOf('/');
        String dirKey = prefix.substring(0, slash + 1);
        Path dir = dirKey.isEmpty() ? root : root.resolve(dirKey);
        try {
            KeyOrderWalk walk = new KeyOrderWalk(dir, dirKey, prefix.substring(slash + 1),
                    Listings.after(description, continuation), staging);
            return Listings.page(description, walk, key -> {
                try {
                    ObjectInfo info = info(key);
                    return info == null ? null
                            : new ObjectInfo(info.key(), info.sizeBytes(), info.etag(), info.lastModified(), info.metadata(), true);
                } catch (IOException e) {
                    throw failure(key, e);
                }
            }, prefix, delimited, continuation, Math.min(maxKeys, 1000));
        } catch (UncheckedIOException e) {
            throw failure(prefix, e.getCause());
        }
    }

    @Override
    public ObjectInfo copy(String from, String to, Map<String, String> metadata) throws ObjectStoreException {
        check(from);
        check(to);
        ObjectKeys.checkMetadata(description, metadata);
        ObjectInfo source = head(from).orElseThrow(() -> notFound(from));
        ObjectRecord record = new ObjectRecord(newEtag(), null, metadata);
        if (ObjectKeys.isMarker(to)) {
            if (source.sizeBytes() > 0) {
                throw permanent(description, "cannot copy " + from + " (" + source.sizeBytes() + " bytes) onto marker " + to, null);
            }
            return putMarker(to, record);
        }
        try {
            return installNew(to, record, out -> {
                if (ObjectKeys.isMarker(from)) {
                    return; // a marker copied to an object key: an empty object
                }
                try (FileChannel in = FileChannel.open(path(from), StandardOpenOption.READ)) {
                    long size = in.size();
                    for (long at = 0; at < size; ) {
                        at += in.transferTo(at, size - at, out);
                    }
                }
            });
        } catch (NoSuchFileException e) {
            throw notFound(from);
        } catch (IOException e) {
            throw failure(to, e);
        }
    }

    @Override
    public ObjectInfo setMetadata(String key, Map<String, String> metadata) throws ObjectStoreException {
        check(key);
        ObjectKeys.checkMetadata(description, metadata);
        Path path = path(key);
        try {
            synchronized (treeLock) {
                ObjectInfo current = info(key);
                if (current == null) {
                    throw notFound(key);
                }
                // One setxattr replaces metadata and etag together; the bytes stay where they are.
                ObjectRecord old = ObjectRecord.read(path);
                new ObjectRecord(newEtag(), old == null ? null : old.uploadId(), metadata).write(path);
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                    ch.force(true);
                }
                return info(key);
            }
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    @Override
    public void close() {
        // Nothing to release: every call opens and closes what it uses.
    }

    // ---------------------------------------------------------------- the tree

    /** Writes the content of a new object into a staging file. */
    private interface Content {
        void writeTo(FileChannel out) throws IOException, ObjectStoreException;
    }

    /**
     * Stages a new object — its record (xattr) and its content, made durable by one fsync — then
     * renames it to the key's path and makes that durable. The staging file never outlives the call.
     */
    private ObjectInfo installNew(String key, ObjectRecord record, Content content) throws IOException, ObjectStoreException {
        Path temp = newTemp();
        try {
            record.write(temp);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                content.writeTo(out);
                out.force(true); // data and record (an inode change) before the rename
            }
            return install(key, temp);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** Renames the finished, fsynced {@code temp} to the key's path and makes that durable. */
    private ObjectInfo install(String key, Path temp) throws IOException, ObjectStoreException {
        Path path = path(key);
        synchronized (treeLock) {
            makeParents(key);
            BasicFileAttributes existing = attributes(path);
            if (existing != null && existing.isDirectory()) {
                if (!isEmptyImplicitDirectory(path)) {
                    throw conflict(key, key + "/ holds keys (it is a directory here); delete them first");
                }
                Files.delete(path);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(path.getParent());
        }
        return info(key);
    }

    private ObjectInfo putMarker(String key, ObjectRecord record) throws ObjectStoreException {
        Path path = path(key);
        try {
            synchronized (treeLock) {
                makeParents(key);
                BasicFileAttributes existing = attributes(path);
                if (existing != null && !existing.isDirectory()) {
                    throw conflict(key, key.substring(0, key.length() - 1) + " is an object (a file here); delete it first");
                }
                if (existing == null) {
                    Files.createDirectory(path);
                    fsyncDirectory(path.getParent());
                }
                record.write(path);
                fsyncDirectory(path);
            }
            return info(key);
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    /** Creates the directories above {@code key}, refusing where a file stands in the way. */
    private void makeParents(String key) throws IOException, ObjectStoreException {
        String body = ObjectKeys.isMarker(key) ? key.substring(0, key.length() - 1) : key;
        Path dir = root;
        int from = 0;
        for (int slash; (slash = body.indexOf('/', from)) >= 0; from = slash + 1) {
            dir = dir.resolve(body.substring(from, slash));
            BasicFileAttributes attrs = attributes(dir);
            if (attrs == null) {
                try {
                    Files.createDirectory(dir);
                } catch (FileAlreadyExistsException raced) {
                    // Someone outside this process made it; fine if it is a directory.
                }
                fsyncDirectory(dir.getParent());
            } else if (!attrs.isDirectory()) {
                throw conflict(key, body.substring(0, slash) + " is an object (a file here); delete it first");
            }
        }
    }

    /** Removes {@code dir} and its ancestors while they are empty and not markers. */
    private void pruneEmpty(Path dir) throws IOException {
        while (!dir.equals(root) && isEmptyImplicitDirectory(dir)) {
            Files.delete(dir);
            dir = dir.getParent();
            fsyncDirectory(dir);
        }
    }

    private boolean isEmptyImplicitDirectory(Path dir) throws IOException {
        try (var children = Files.newDirectoryStream(dir)) {
            return !children.iterator().hasNext() && ObjectRecord.read(dir) == null;
        }
    }

    private ObjectInfo info(String key) throws IOException {
        Path path = path(key);
        BasicFileAttributes attrs = attributes(path);
        if (attrs == null || attrs.isDirectory() != ObjectKeys.isMarker(key)
                || (!attrs.isDirectory() && !attrs.isRegularFile())) {
            return null;
        }
        ObjectRecord record = ObjectRecord.read(path);
        if (record == null) {
            if (attrs.isDirectory()) {
                return null; // an implicit directory, not a marker
            }
            // A file put here by hand: name a version by what changes with each write.
            record = new ObjectRecord("\"m-" + attrs.lastModifiedTime().toMillis() + "-" + attrs.size()
                    + "-" + attrs.fileKey() + "\"", null, Map.of());
        }
        long size = attrs.isDirectory() ? 0 : attrs.size();
        return new ObjectInfo(key, size, record.etag(), attrs.lastModifiedTime().toInstant(), record.metadata(), true);
    }

    // ---------------------------------------------------------------- helpers

    private String etag(Path path) throws IOException {
        ObjectInfo info = info(root.relativize(path).toString());
        if (info == null) {
            throw new NoSuchFileException(path.toString());
        }
        return info.etag();
    }

    private String uploadIdOf(String key) throws ObjectStoreException {
        try {
            ObjectRecord record = ObjectRecord.read(path(key));
            return record == null ? null : record.uploadId();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    private Path uploadDir(Upload upload) throws ObjectStoreException {
        if (!upload.id().matches("[0-9a-f]{32}")) {
            throw uploadNotFound(upload);
        }
        Path dir = uploads.resolve(upload.id());
        try {
            if (!Files.readString(dir.resolve("upload"), StandardCharsets.UTF_8).equals(upload.key())) {
                throw uploadNotFound(upload);
            }
        } catch (NoSuchFileException e) {
            throw uploadNotFound(upload);
        } catch (IOException e) {
            throw failure(upload.key(), e);
        }
        return dir;
    }

    static Path partPath(Path uploadDir, int partNumber) {
        return uploadDir.resolve(String.format("part-%05d", partNumber));
    }

    private Path newTemp() throws IOException {
        return Files.createTempFile(tmp, "obj-", ".tmp");
    }

    private String newEtag() {
        return "\"" + incarnation + "-" + Long.toHexString(writes.incrementAndGet()) + "\"";
    }

    private void check(String key) throws ObjectStoreException.Permanent {
        ObjectKeys.checkKey(description, key);
        if (key.equals(STAGING) || key.startsWith(STAGING + "/")) {
            throw permanent(description, "keys under " + STAGING + "/ are reserved for the store's staging area: " + key, null);
        }
        for (String component : key.split("/")) {
            if (component.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw permanent(description, "key " + key + " has a component longer than the file system's "
                        + MAX_NAME_BYTES + " bytes", null);
            }
        }
    }

    private Path path(String key) {
        return root.resolve(ObjectKeys.isMarker(key) ? key.substring(0, key.length() - 1) : key);
    }

    private void verify(String key, ByteBuffer content, int crc32c) throws ObjectStoreException.Permanent {
        CRC32C crc = new CRC32C();
        crc.update(content.duplicate());
        if ((int) crc.getValue() != crc32c) {
            throw permanent(description, String.format("body for %s has CRC32C %08x, the request said %08x",
                    key, (int) crc.getValue(), crc32c), null);
        }
    }

    private void requireEtag(String key, String etag, String ifMatch) throws ObjectStoreException.PreconditionFailed {
        if (ifMatch != null && !ifMatch.equals(etag)) {
            throw new ObjectStoreException.PreconditionFailed(description + ": " + key + " is at etag " + etag + ", not " + ifMatch);
        }
    }

    private static int readFully(FileChannel ch, long offset, ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, offset + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                Files.deleteIfExists(child);
            }
        } catch (NoSuchFileException gone) {
            return;
        }
        Files.deleteIfExists(dir);
    }

    private static void deleteQuietly(Path temp) {
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // A leftover temp file lives in staging, which is never listed.
            }
        }
    }

    private ObjectStoreException.NotFound notFound(String key) {
        return new ObjectStoreException.NotFound(description + ": no object " + key);
    }

    private ObjectStoreException.NotFound uploadNotFound(Upload upload) {
        return new ObjectStoreException.NotFound(description + ": no upload " + upload.id() + " for " + upload.key()
                + " (never started, aborted or completed)");
    }

    private ObjectStoreException.Permanent conflict(String key, String why) {
        return permanent(description, "cannot store " + key + ": " + why
                + " (a local directory cannot hold a file and a directory of the same name)", null);
    }

    private ObjectStoreException failure(String key, IOException e) {
        String message = description + ": " + key + ": " + e;
        if (String.valueOf(e.getMessage()).contains("No space left on device")) {
            return permanent(description, key + ": the file system is full; free space under " + root, e);
        }
        // A local disk's errors (EIO, EACCES, EROFS) do not go away by retrying.
        return new ObjectStoreException.Permanent(message, e);
    }

    private static ObjectStoreException.Permanent permanent(String where, String message, Throwable cause) {
        return new ObjectStoreException.Permanent(where + ": " + message, cause);
    }
}
