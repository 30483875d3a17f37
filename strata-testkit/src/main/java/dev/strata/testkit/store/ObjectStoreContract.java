package dev.strata.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import dev.strata.core.store.ObjectStoreException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link ObjectStore} contract, run against every implementation: subclass it, supply a fresh
 * empty store per test from {@link #newStore()}, and the suite checks every clause of the port's
 * Javadoc. Multipart tests use exactly {@link ObjectStore.Limits#minPartBytes} per part and a few
 * parts, so a store advertising S3's 5 MiB moves about 25 MiB in the whole suite.
 *
 * <p>Stores whose listings lag behind writes override {@link #settle} to wait until they caught up;
 * the suite calls it before every listing it checks. What the port leaves to the store (whether a
 * file and a directory of the same name may coexist, whether setMetadata changes the etag) is not
 * checked here.
 */
public abstract class ObjectStoreContract {
    protected static final int KIB = 1024;
    protected static final int MIB = 1024 * KIB;

    /** The store under test, fresh for each test. */
    protected ObjectStore store;

    /** A new, empty store. Called once before each test. */
    protected abstract ObjectStore newStore() throws Exception;

    /** Releases the store after a test; override to also delete what the test left behind. */
    protected void cleanUp(ObjectStore store) throws Exception {
        store.close();
    }

    /** Waits until listings reflect every completed write; a no-op for consistent stores. */
    protected void settle(ObjectStore store) throws Exception {}

    @BeforeEach
    final void createStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    final void closeStore() throws Exception {
        cleanUp(store);
    }

    // ---------------------------------------------------------------- head, put, read

    @Test
    void headOfAnAbsentKeyIsEmpty() throws Exception {
        assertThat(store.head("absent")).isEmpty();
        assertThat(store.head("no/such/key")).isEmpty();
    }

    @Test
    void putThenHeadReportsSizeEtagAndMetadata() throws Exception {
        Map<String, String> meta = Map.of("file-permissions", "0100644");
        ObjectInfo put = put("dir/file.txt", ascii("hello"), meta);
        assertThat(put.key()).isEqualTo("dir/file.txt");
        assertThat(put.sizeBytes()).isEqualTo(5);
        assertThat(put.etag()).isNotBlank();
        ObjectInfo head = store.head("dir/file.txt").orElseThrow();
        assertThat(head.key()).isEqualTo("dir/file.txt");
        assertThat(head.sizeBytes()).isEqualTo(5);
        assertThat(head.etag()).isEqualTo(put.etag());
        assertThat(head.metadata()).isEqualTo(meta);
        assertThat(head.metadataKnown()).isTrue();
        assertThat(head.lastModified()).isNotNull();
    }

    @Test
    void putReplacesContentMetadataAndEtag() throws Exception {
        ObjectInfo first = put("k", ascii("first version"), Map.of("file-owner", "1000"));
        ObjectInfo second = put("k", ascii("2nd"), Map.of("file-group", "100"));
        assertThat(second.etag()).isNotEqualTo(first.etag());
        ObjectInfo head = store.head("k").orElseThrow();
        assertThat(head.sizeBytes()).isEqualTo(3);
        assertThat(head.etag()).isEqualTo(second.etag());
        assertThat(head.metadata()).isEqualTo(Map.of("file-group", "100"));
        assertThat(readAll("k")).isEqualTo(ascii("2nd"));
    }

    @Test
    void aZeroByteObjectExistsAndReadsNothing() throws Exception {
        ObjectInfo info = put("empty", new byte[0], Map.of());
        assertThat(info.sizeBytes()).isZero();
        assertThat(store.head("empty").orElseThrow().sizeBytes()).isZero();
        assertThat(store.read("empty", 0, ByteBuffer.allocate(10), null)).isZero();
        assertThat(store.read("empty", 0, ByteBuffer.allocate(10), info.etag())).isZero();
    }

    @Test
    void readsRangesShortOnlyAtTheEnd() throws Exception {
        byte[] bytes = ascii("0123456789");
        ObjectInfo info = put("r", bytes, Map.of());
        assertThat(read("r", 3, 4, null)).isEqualTo(ascii("3456"));
        assertThat(read("r", 0, 10, info.etag())).isEqualTo(bytes);
        assertThat(read("r", 7, 100, null)).isEqualTo(ascii("789"));
        assertThat(read("r", 10, 5, null)).isEmpty();
        assertThat(read("r", 1000, 5, null)).isEmpty();
    }

    @Test
    void readFillsFromTheBuffersPositionAndAdvancesIt() throws Exception {
        put("pos", ascii("abcdef"), Map.of());
        ByteBuffer dst = ByteBuffer.allocate(8);
        dst.position(2).limit(6);
        assertThat(store.read("pos", 1, dst, null)).isEqualTo(4);
        assertThat(dst.position()).isEqualTo(6);
        assertThat(Arrays.copyOfRange(dst.array(), 2, 6)).isEqualTo(ascii("bcde"));
        assertThat(dst.array()[0]).isZero();
        assertThat(dst.array()[6]).isZero();
    }

    @Test
    void readWithAStaleEtagFailsWithPreconditionFailed() throws Exception {
        ObjectInfo old = put("v", ascii("old bytes"), Map.of());
        put("v", ascii("new bytes!"), Map.of());
        assertThatThrownBy(() -> store.read("v", 0, ByteBuffer.allocate(4), old.etag()))
                .isInstanceOf(ObjectStoreException.PreconditionFailed.class);
    }

    @Test
    void readOfAnAbsentKeyFailsWithNotFound() {
        assertThatThrownBy(() -> store.read("nothing", 0, ByteBuffer.allocate(4), null))
                .isInstanceOf(ObjectStoreException.NotFound.class);
    }

    @Test
    void putWithAWrongChecksumIsRefusedAndKeepsTheOldObject() throws Exception {
        ObjectInfo old = put("crc", ascii("kept"), Map.of("file-owner", "7"));
        byte[] next = ascii("refused");
        int wrong = crc32c(next) ^ 0x5a5a;
        assertThatThrownBy(() -> store.put("crc", ByteBuffer.wrap(next), wrong, Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class);
        ObjectInfo head = store.head("crc").orElseThrow();
        assertThat(head.etag()).isEqualTo(old.etag());
        assertThat(readAll("crc")).isEqualTo(ascii("kept"));
        assertThatThrownBy(() -> store.put("crc-new", ByteBuffer.wrap(next), wrong, Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class);
        assertThat(store.head("crc-new")).isEmpty();
    }

    @Test
    void putStoresFromTheBuffersPositionToItsLimit() throws Exception {
        ByteBuffer content = ByteBuffer.wrap(ascii("xxpayloadyy"));
        content.position(2).limit(9);
        store.put("slice", content, crc32c(ascii("payload")), Map.of());
        assertThat(readAll("slice")).isEqualTo(ascii("payload"));
    }

    @Test
    void metadataRoundTripsFsxStyleAttributes() throws Exception {
        Map<String, String> meta = posixMetadata();
        put("attrs", ascii("x"), meta);
        assertThat(store.head("attrs").orElseThrow().metadata()).isEqualTo(meta);
    }

    @Test
    void invalidKeysAreRefusedAsPermanent() {
        for (String key : List.of("", "/abs", "a//b", "a/./b", "a/../b", "..", "./a", "a\u0000b", "a\nb")) {
            assertThatThrownBy(() -> put(key, ascii("x"), Map.of())).as("key %s", key)
                    .isInstanceOf(ObjectStoreException.Permanent.class);
        }
    }

    @Test
    void invalidMetadataIsRefusedAsPermanent() {
        List<Map<String, String>> bad = List.of(
                Map.of("Upper", "x"),
                Map.of("under_score", "x"),
                Map.of("1digit-first", "x"),
                Map.of("ok", "caf\u00e9"),
                Map.of("ok", "line\nbreak"),
                Map.of("ok", " padded"),
                Map.of("big", "v".repeat(ObjectKeys.MAX_METADATA_BYTES)));
        for (Map<String, String> meta : bad) {
            assertThatThrownBy(() -> put("m", ascii("x"), meta)).as("metadata %s", meta)
                    .isInstanceOf(ObjectStoreException.Permanent.class);
        }
    }

    @Test
    void keysWithAwkwardCharactersRoundTrip() throws Exception {
        List<String> keys = List.of(
                "with space/and more spaces.txt",
                "plus+sign", "percent%20not-decoded", "hash#tag", "question?mark=1&x",
                "unicode/\u00fcber/\u65e5\u672c\u8a9e/\uD83D\uDE00.bin",
                "tilde~ and (parens) [brackets] {braces} 'quotes' \"dq\" !*@$,;:");
        for (String key : keys) {
            put(key, ascii(key), Map.of("file-owner", "0"));
        }
        for (String key : keys) {
            assertThat(store.head(key)).as(key).isPresent();
            assertThat(readAll(key)).as(key).isEqualTo(ascii(key));
        }
        settle(store);
        assertThat(listAll("", false, 1000).stream().map(ObjectInfo::key).toList())
                .isEqualTo(sortedUtf8(keys));
    }

    // ---------------------------------------------------------------- delete

    @Test
    void deleteRemovesAndIsIdempotent() throws Exception {
        put("gone", ascii("x"), Map.of());
        store.delete("gone");
        assertThat(store.head("gone")).isEmpty();
        store.delete("gone");
        store.delete("never/was");
        assertThatThrownBy(() -> store.read("gone", 0, ByteBuffer.allocate(1), null))
                .isInstanceOf(ObjectStoreException.NotFound.class);
    }

    // ---------------------------------------------------------------- copy and setMetadata

    @Test
    void copyDuplicatesContentWithNewMetadata() throws Exception {
        byte[] bytes = randomBytes(3000, 1);
        put("src/a", bytes, Map.of("file-owner", "1"));
        ObjectInfo copy = store.copy("src/a", "dst/b", Map.of("file-owner", "2"));
        assertThat(copy.key()).isEqualTo("dst/b");
        assertThat(copy.sizeBytes()).isEqualTo(3000);
        assertThat(readAll("dst/b")).isEqualTo(bytes);
        assertThat(store.head("dst/b").orElseThrow().metadata()).isEqualTo(Map.of("file-owner", "2"));
        assertThat(store.head("dst/b").orElseThrow().etag()).isEqualTo(copy.etag());
        assertThat(store.head("src/a").orElseThrow().metadata()).isEqualTo(Map.of("file-owner", "1"));
        assertThat(readAll("src/a")).isEqualTo(bytes);
    }

    @Test
    void copyReplacesAnExistingTarget() throws Exception {
        put("from", ascii("new"), Map.of());
        put("to", ascii("old and longer"), Map.of("file-group", "5"));
        store.copy("from", "to", Map.of());
        assertThat(readAll("to")).isEqualTo(ascii("new"));
        assertThat(store.head("to").orElseThrow().metadata()).isEmpty();
    }

    @Test
    void copyOfAnAbsentSourceFailsWithNotFound() {
        assertThatThrownBy(() -> store.copy("missing", "target", Map.of()))
                .isInstanceOf(ObjectStoreException.NotFound.class);
        assertThat(headQuietly("target")).isEmpty();
    }

    @Test
    void setMetadataReplacesMetadataAndKeepsContent() throws Exception {
        byte[] bytes = randomBytes(1000, 2);
        put("meta", bytes, Map.of("file-owner", "1", "file-group", "1"));
        ObjectInfo info = store.setMetadata("meta", posixMetadata());
        assertThat(info.sizeBytes()).isEqualTo(1000);
        ObjectInfo head = store.head("meta").orElseThrow();
        assertThat(head.metadata()).isEqualTo(posixMetadata());
        assertThat(head.etag()).isEqualTo(info.etag());
        assertThat(readAll("meta")).isEqualTo(bytes);
        assertThatThrownBy(() -> store.setMetadata("absent", Map.of()))
                .isInstanceOf(ObjectStoreException.NotFound.class);
    }

    // ---------------------------------------------------------------- multipart

    @Test
    void multipartPartsUploadedConcurrentlyOutOfOrderMakeTheExactObject() throws Exception {
        long min = store.limits().minPartBytes();
        int[] sizes = {Math.toIntExact(min) + 1, Math.toIntExact(min) + 513, 1001};
        byte[] whole = randomBytes(sizes[0] + sizes[1] + sizes[2], 3);
        Map<String, String> meta = posixMetadata();
        Upload upload = store.startUpload("big/object", meta);
        assertThat(upload.key()).isEqualTo("big/object");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Part>> futures = new ArrayList<>();
            for (int n : new int[] {3, 1, 2}) {
                int from = 0;
                for (int i = 0; i < n - 1; i++) {
                    from += sizes[i];
                }
                byte[] part = Arrays.copyOfRange(whole, from, from + sizes[n - 1]);
                futures.add(pool.submit(() -> store.uploadPart(upload, n, ByteBuffer.wrap(part), crc32c(part))));
            }
            List<Part> parts = new ArrayList<>();
            for (Future<Part> f : futures) {
                parts.add(f.get());
            }
            parts.sort(Comparator.comparingInt(Part::number));
            assertThat(parts).extracting(Part::sizeBytes).containsExactly((long) sizes[0], (long) sizes[1], (long) sizes[2]);
            assertThat(headQuietly("big/object")).as("invisible before complete").isEmpty();
            ObjectInfo done = store.completeUpload(upload, parts);
            assertThat(done.key()).isEqualTo("big/object");
            assertThat(done.sizeBytes()).isEqualTo(whole.length);
            ObjectInfo head = store.head("big/object").orElseThrow();
            assertThat(head.sizeBytes()).isEqualTo(whole.length);
            assertThat(head.etag()).isEqualTo(done.etag());
            assertThat(head.metadata()).isEqualTo(meta);
            assertThat(readAll("big/object")).isEqualTo(whole);
            assertThat(read("big/object", sizes[0] - 3, 10, done.etag()))
                    .isEqualTo(Arrays.copyOfRange(whole, sizes[0] - 3, sizes[0] + 7));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void multipartIsInvisibleUntilCompleteAndReplacesAtOnce() throws Exception {
        put("mp", ascii("old"), Map.of());
        Upload upload = store.startUpload("mp", Map.of("file-owner", "3"));
        Part part = uploadPart(upload, 1, ascii("new content"));
        assertThat(readAll("mp")).isEqualTo(ascii("old"));
        settle(store);
        assertThat(listAll("", false, 100)).extracting(ObjectInfo::key).containsExactly("mp");
        store.completeUpload(upload, List.of(part));
        assertThat(readAll("mp")).isEqualTo(ascii("new content"));
        assertThat(store.head("mp").orElseThrow().metadata()).isEqualTo(Map.of("file-owner", "3"));
    }

    @Test
    void completeRepeatedAfterSuccessAnswersWithTheObject() throws Exception {
        Upload upload = store.startUpload("twice", Map.of());
        List<Part> parts = List.of(uploadPart(upload, 1, ascii("once only")));
        ObjectInfo first = store.completeUpload(upload, parts);
        ObjectInfo again = store.completeUpload(upload, parts);
        assertThat(again.key()).isEqualTo("twice");
        assertThat(again.sizeBytes()).isEqualTo(first.sizeBytes());
        assertThat(again.etag()).isEqualTo(first.etag());
        assertThat(readAll("twice")).isEqualTo(ascii("once only"));
    }

    @Test
    void uploadPartRepeatedWithTheSameBytesIsFine() throws Exception {
        Upload upload = store.startUpload("repeat-part", Map.of());
        uploadPart(upload, 1, ascii("same"));
        Part again = uploadPart(upload, 1, ascii("same"));
        store.completeUpload(upload, List.of(again));
        assertThat(readAll("repeat-part")).isEqualTo(ascii("same"));
    }

    @Test
    void abortDropsTheUploadAndIsIdempotent() throws Exception {
        Upload upload = store.startUpload("aborted", Map.of());
        Part part = uploadPart(upload, 1, ascii("never visible"));
        store.abortUpload(upload);
        store.abortUpload(upload);
        assertThat(store.head("aborted")).isEmpty();
        assertThatThrownBy(() -> store.completeUpload(upload, List.of(part)))
                .isInstanceOf(ObjectStoreException.NotFound.class);
        assertThat(store.head("aborted")).isEmpty();
        store.abortUpload(new Upload("aborted", "no-such-upload-id"));
    }

    @Test
    void partsBelowTheMinimumExceptTheLastAreRefused() throws Exception {
        assumeTrue(store.limits().minPartBytes() > 2, "this store has no minimum part size");
        Upload upload = store.startUpload("small-parts", Map.of());
        try {
            Part one = uploadPart(upload, 1, ascii("tiny"));
            Part two = uploadPart(upload, 2, ascii("tail"));
            assertThatThrownBy(() -> store.completeUpload(upload, List.of(one, two)))
                    .isInstanceOf(ObjectStoreException.Permanent.class);
            assertThat(headQuietly("small-parts")).isEmpty();
        } catch (ObjectStoreException.Permanent refusedEarly) {
            // Refusing the part itself is as good.
        } finally {
            store.abortUpload(upload);
        }
    }

    @Test
    void uploadPartWithAWrongChecksumIsRefused() throws Exception {
        Upload upload = store.startUpload("bad-part", Map.of());
        byte[] part = ascii("damaged in transit");
        assertThatThrownBy(() -> store.uploadPart(upload, 1, ByteBuffer.wrap(part), crc32c(part) + 1))
                .isInstanceOf(ObjectStoreException.Permanent.class);
        store.abortUpload(upload);
    }

    @Test
    void completeOfAnUnknownUploadFailsWithNotFound() throws Exception {
        Upload real = store.startUpload("unknown", Map.of());
        Part part = uploadPart(real, 1, ascii("x"));
        Upload bogus = new Upload("unknown", "no-such-upload-id");
        assertThatThrownBy(() -> store.completeUpload(bogus, List.of(part)))
                .isInstanceOf(ObjectStoreException.NotFound.class);
        store.abortUpload(real);
        assertThat(store.head("unknown")).isEmpty();
    }

    // ---------------------------------------------------------------- listing

    @Test
    void listingIsInUtf8ByteOrder() throws Exception {
        // '-' < '.' < '/' < '0' < '~' < U+00E9 < U+FFFD < U+1F600 in UTF-8; in UTF-16 the last two
        // swap, so a store (or a fake) sorting Java strings gets this wrong.
        List<String> keys = List.of("o/x~", "o/x\uD83D\uDE00", "o/x\uFFFD", "o/x/b", "o/x0", "o/x.b",
                "o/x-b", "o/x\u00e9", "o/X", "o/x/a/deep");
        for (String key : keys) {
            put(key, ascii("v"), Map.of());
        }
        settle(store);
        List<String> expected = sortedUtf8(keys);
        assertThat(expected).startsWith("o/X", "o/x-b", "o/x.b", "o/x/a/deep", "o/x/b", "o/x0", "o/x~",
                "o/x\u00e9", "o/x\uFFFD", "o/x\uD83D\uDE00");
        assertThat(listAll("o/", false, 1000)).extracting(ObjectInfo::key).containsExactlyElementsOf(expected);
        assertThat(listAll("o/", false, 3)).extracting(ObjectInfo::key).containsExactlyElementsOf(expected);
    }

    @Test
    void listingPagesWithSmallMaxKeysCoverEverythingOnce() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            keys.add("p/k" + (char) ('a' + i));
        }
        for (String key : keys) {
            put(key, ascii(key), Map.of());
        }
        put("q/outside", ascii("x"), Map.of());
        settle(store);
        List<String> seen = new ArrayList<>();
        String continuation = null;
        int pages = 0;
        do {
            ListPage page = store.list("p/", false, continuation, 2);
            assertThat(page.objects().size() + page.prefixes().size()).isLessThanOrEqualTo(2);
            page.objects().forEach(o -> seen.add(o.key()));
            continuation = page.continuation();
            assertThat(++pages).as("pages").isLessThan(100);
        } while (continuation != null);
        assertThat(seen).containsExactlyElementsOf(keys);
        assertThat(pages).isGreaterThanOrEqualTo(6);
    }

    @Test
    void listingOfAnEmptyPrefixIsEmpty() throws Exception {
        put("a/file", ascii("x"), Map.of());
        settle(store);
        ListPage page = store.list("nothing/", true, null, 10);
        assertThat(page.objects()).isEmpty();
        assertThat(page.prefixes()).isEmpty();
        assertThat(page.continuation()).isNull();
    }

    @Test
    void listingReportsSizesEtagsAndMetadataWhenKnown() throws Exception {
        ObjectInfo a = put("l/a", ascii("abc"), Map.of("file-owner", "1"));
        ObjectInfo b = put("l/b", new byte[0], Map.of());
        settle(store);
        List<ObjectInfo> listed = listAll("l/", false, 10);
        assertThat(listed).extracting(ObjectInfo::key).containsExactly("l/a", "l/b");
        assertThat(listed).extracting(ObjectInfo::sizeBytes).containsExactly(3L, 0L);
        assertThat(listed).extracting(ObjectInfo::etag).containsExactly(a.etag(), b.etag());
        ObjectInfo first = listed.getFirst();
        if (first.metadataKnown()) {
            assertThat(first.metadata()).isEqualTo(Map.of("file-owner", "1"));
        } else {
            assertThat(first.metadata()).as("unknown metadata is reported empty").isEmpty();
        }
        assertThat(listed.get(1).metadata()).isEmpty();
    }

    @Test
    void delimitedListingRollsUpDirectories() throws Exception {
        for (String key : List.of("d/top1", "d/top2", "d/sub/x", "d/sub/y/z", "d/sub2/w", "d.sibling", "e/other")) {
            put(key, ascii("v"), Map.of());
        }
        settle(store);
        ListPage root = listAllPages("", true, 1000);
        assertThat(root.objects()).extracting(ObjectInfo::key).containsExactly("d.sibling");
        assertThat(root.prefixes()).containsExactly("d/", "e/");
        ListPage d = listAllPages("d/", true, 1000);
        assertThat(d.objects()).extracting(ObjectInfo::key).containsExactly("d/top1", "d/top2");
        assertThat(d.prefixes()).containsExactly("d/sub/", "d/sub2/");
        ListPage paged = listAllPages("d/", true, 1);
        assertThat(paged.objects()).extracting(ObjectInfo::key).containsExactly("d/top1", "d/top2");
        assertThat(paged.prefixes()).containsExactly("d/sub/", "d/sub2/");
        ListPage sub = listAllPages("d/sub/", true, 1000);
        assertThat(sub.objects()).extracting(ObjectInfo::key).containsExactly("d/sub/x");
        assertThat(sub.prefixes()).containsExactly("d/sub/y/");
    }

    // ---------------------------------------------------------------- directory markers

    @Test
    void directoryMarkersAreZeroByteObjectsWithMetadata() throws Exception {
        Map<String, String> meta = Map.of("file-permissions", "040755", "file-owner", "1000");
        ObjectInfo marker = put("dir/", new byte[0], meta);
        assertThat(marker.key()).isEqualTo("dir/");
        assertThat(marker.sizeBytes()).isZero();
        ObjectInfo head = store.head("dir/").orElseThrow();
        assertThat(head.key()).isEqualTo("dir/");
        assertThat(head.sizeBytes()).isZero();
        assertThat(head.metadata()).isEqualTo(meta);
        assertThat(store.head("dir")).as("the marker is not a file").isEmpty();
        assertThatThrownBy(() -> put("full/", ascii("bytes"), Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class);
    }

    @Test
    void listingsReportMarkersAsThePortSays() throws Exception {
        put("m/", new byte[0], Map.of());
        put("m/empty/", new byte[0], Map.of());
        put("m/full/", new byte[0], Map.of());
        put("m/full/file", ascii("x"), Map.of());
        put("m/implicit/file", ascii("y"), Map.of());
        put("m/zfile", ascii("z"), Map.of());
        settle(store);
        assertThat(listAll("m/", false, 1000)).extracting(ObjectInfo::key)
                .as("a listing never reports the marker equal to its prefix")
                .containsExactly("m/empty/", "m/full/", "m/full/file", "m/implicit/file", "m/zfile");
        assertThat(listAll("", false, 1000)).extracting(ObjectInfo::key)
                .containsExactly("m/", "m/empty/", "m/full/", "m/full/file", "m/implicit/file", "m/zfile");
        ListPage delimited = listAllPages("m/", true, 1000);
        assertThat(delimited.objects()).extracting(ObjectInfo::key).containsExactly("m/zfile");
        assertThat(delimited.prefixes()).containsExactly("m/empty/", "m/full/", "m/implicit/");
        assertThat(listAllPages("", true, 1000).prefixes()).containsExactly("m/");
        ListPage empty = listAllPages("m/empty/", true, 1000);
        assertThat(empty.objects()).isEmpty();
        assertThat(empty.prefixes()).isEmpty();
    }

    @Test
    void deletingAMarkerLeavesTheKeysUnderIt() throws Exception {
        put("k/", new byte[0], Map.of());
        put("k/child", ascii("stays"), Map.of());
        store.delete("k/");
        assertThat(store.head("k/")).isEmpty();
        assertThat(readAll("k/child")).isEqualTo(ascii("stays"));
        settle(store);
        assertThat(listAll("", false, 100)).extracting(ObjectInfo::key).containsExactly("k/child");
        assertThat(listAllPages("", true, 100).prefixes()).containsExactly("k/");
        store.delete("k/child");
        settle(store);
        assertThat(listAllPages("", true, 100).prefixes()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** Puts {@code bytes} with their correct CRC32C. */
    protected ObjectInfo put(String key, byte[] bytes, Map<String, String> metadata) throws ObjectStoreException {
        return store.put(key, ByteBuffer.wrap(bytes), crc32c(bytes), metadata);
    }

    protected Part uploadPart(Upload upload, int number, byte[] bytes) throws ObjectStoreException {
        return store.uploadPart(upload, number, ByteBuffer.wrap(bytes), crc32c(bytes));
    }

    protected byte[] read(String key, long offset, int length, String ifMatch) throws ObjectStoreException {
        ByteBuffer dst = ByteBuffer.allocate(length);
        int n = store.read(key, offset, dst, ifMatch);
        assertThat(n).isEqualTo(dst.position());
        return Arrays.copyOf(dst.array(), n);
    }

    /** The whole object, read in one go after a head. */
    protected byte[] readAll(String key) throws ObjectStoreException {
        ObjectInfo info = store.head(key).orElseThrow(() -> new AssertionError("no object " + key));
        byte[] bytes = read(key, 0, Math.toIntExact(info.sizeBytes()) + 1, info.etag());
        assertThat(bytes.length).as("size of %s", key).isEqualTo(info.sizeBytes());
        return bytes;
    }

    /** Every object of a listing, following continuations. */
    protected List<ObjectInfo> listAll(String prefix, boolean delimited, int maxKeys) throws ObjectStoreException {
        return listAllPages(prefix, delimited, maxKeys).objects();
    }

    /** All pages of a listing merged into one, checking each page's bound and order on the way. */
    protected ListPage listAllPages(String prefix, boolean delimited, int maxKeys) throws ObjectStoreException {
        List<ObjectInfo> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String continuation = null;
        int pages = 0;
        do {
            ListPage page = store.list(prefix, delimited, continuation, maxKeys);
            assertThat(page.objects().size() + page.prefixes().size()).as("page size").isLessThanOrEqualTo(maxKeys);
            objects.addAll(page.objects());
            prefixes.addAll(page.prefixes());
            continuation = page.continuation();
            assertThat(++pages).as("pages of %s", prefix).isLessThan(10_000);
        } while (continuation != null);
        List<String> keys = objects.stream().map(ObjectInfo::key).toList();
        assertThat(keys).as("keys in UTF-8 order, once").isEqualTo(sortedUtf8(keys)).doesNotHaveDuplicates();
        assertThat(prefixes).as("prefixes in order, once").isEqualTo(sortedUtf8(prefixes)).doesNotHaveDuplicates();
        for (String p : prefixes) {
            assertThat(p).startsWith(prefix).endsWith("/");
        }
        for (String k : keys) {
            assertThat(k).startsWith(prefix).isNotEqualTo(prefix);
        }
        return new ListPage(objects, prefixes, null);
    }

    private Optional<ObjectInfo> headQuietly(String key) {
        try {
            return store.head(key);
        } catch (ObjectStoreException e) {
            throw new AssertionError(e);
        }
    }

    protected static List<String> sortedUtf8(List<String> keys) {
        return keys.stream().sorted(ObjectKeys.UTF8_ORDER).toList();
    }

    /** The attributes Strata mirrors, in the names and formats FSx for Lustre uses. */
    protected static Map<String, String> posixMetadata() {
        return Map.of("file-permissions", "0100644", "file-owner", "1000", "file-group", "1000",
                "file-mtime", "1700000000123456789ns");
    }

    protected static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    protected static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
