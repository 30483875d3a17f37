package dev.strata.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the local-directory store promises beyond the port: the layout on disk and its refusals. */
class FileObjectStoreTest {
    @TempDir
    Path root;
    FileObjectStore store;

    @BeforeEach
    void open() throws Exception {
        store = FileObjectStore.open("file://" + root, new SplittableRandom(1));
    }

    @Test
    void theDirectoryIsAReadableMirror() throws Exception {
        put("a/b/c.txt", "hello", Map.of("file-permissions", "0100644"));
        put("a/d/", "", Map.of("file-permissions", "040755"));
        assertThat(Files.readString(root.resolve("a/b/c.txt"))).isEqualTo("hello");
        assertThat(Files.isDirectory(root.resolve("a/d"))).isTrue();
        assertThat(ObjectRecord.read(root.resolve("a/b/c.txt")).metadata()).containsEntry("file-permissions", "0100644");
        assertThat(ObjectRecord.read(root.resolve("a/d")).metadata()).containsEntry("file-permissions", "040755");
        assertThat(ObjectRecord.read(root.resolve("a/b"))).as("an implicit directory is no marker").isNull();
    }

    @Test
    void aFilePutByHandIsAnObjectWithoutMetadata() throws Exception {
        Files.writeString(root.resolve("manual.txt"), "by hand");
        ObjectInfo info = store.head("manual.txt").orElseThrow();
        assertThat(info.sizeBytes()).isEqualTo(7);
        assertThat(info.metadata()).isEmpty();
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertThat(store.read("manual.txt", 0, dst, info.etag())).isEqualTo(7);
    }

    @Test
    void aFileAndADirectoryOfTheSameNameConflict() throws Exception {
        put("x/y", "file", Map.of());
        assertThatThrownBy(() -> put("x/y/z", "under a file", Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("x/y is an object");
        assertThatThrownBy(() -> put("x/y/", "", Map.of())).isInstanceOf(ObjectStoreException.Permanent.class);
        put("p/q/r", "deep", Map.of());
        assertThatThrownBy(() -> put("p/q", "over a directory", Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("p/q/ holds keys");
        assertThat(store.head("p/q/r")).isPresent();
    }

    @Test
    void deletingTheLastKeyRemovesImplicitDirectoriesButNotMarkers() throws Exception {
        put("keep/", "", Map.of());
        put("keep/implicit/deeper/file", "x", Map.of());
        store.delete("keep/implicit/deeper/file");
        assertThat(root.resolve("keep/implicit")).doesNotExist();
        assertThat(root.resolve("keep")).isDirectory();
        store.delete("keep/");
        assertThat(root.resolve("keep")).doesNotExist();
        put("file-where-dir-was", "x", Map.of());
        put("q/r", "x", Map.of());
        store.delete("q/r");
        put("q", "now a file", Map.of());
        assertThat(Files.readString(root.resolve("q"))).isEqualTo("now a file");
    }

    @Test
    void theStagingAreaIsReservedAndNeverListed() throws Exception {
        Upload u = store.startUpload("pending", Map.of());
        part(u, 1, "staged");
        assertThat(root.resolve(FileObjectStore.STAGING)).isDirectory();
        assertThat(store.list("", false, null, 100).objects()).isEmpty();
        assertThat(store.list("", true, null, 100).prefixes()).isEmpty();
        assertThatThrownBy(() -> put(".strata-staging/x", "x", Map.of())).isInstanceOf(ObjectStoreException.Permanent.class);
        assertThatCode(() -> store.abortUpload(new Upload("pending", "../../etc"))).doesNotThrowAnyException();
        assertThat(root.resolve(FileObjectStore.STAGING).resolve("uploads")).isNotEmptyDirectory();
        store.abortUpload(u);
        assertThat(root.resolve(FileObjectStore.STAGING).resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void aCompleteRepeatedByANewProcessFindsTheObject() throws Exception {
        Upload u = store.startUpload("done", Map.of("file-owner", "9"));
        List<Part> parts = List.of(part(u, 1, "content"));
        ObjectInfo first = store.completeUpload(u, parts);
        FileObjectStore restarted = FileObjectStore.open(root, new SplittableRandom(2));
        ObjectInfo again = restarted.completeUpload(u, parts);
        assertThat(again.etag()).isEqualTo(first.etag());
        assertThat(again.metadata()).isEqualTo(Map.of("file-owner", "9"));
    }

    @Test
    void longComponentsAreRefused() {
        assertThatThrownBy(() -> put("d/" + "n".repeat(256), "x", Map.of()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("255");
    }

    @Test
    void theFactoryExplainsBadUris() {
        assertThatThrownBy(() -> FileObjectStore.open("file:relative/path", new SplittableRandom()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> FileObjectStore.open("s3://bucket", new SplittableRandom()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("file: URI");
        assertThatThrownBy(() -> FileObjectStore.open("file://" + root.resolve("missing"), new SplittableRandom()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("mkdir -p");
        assertThatThrownBy(() -> FileObjectStore.open("file://otherhost/x", new SplittableRandom()))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("otherhost");
        assertThatThrownBy(() -> FileObjectStore.open("file:///dev/shm/../../" + root + " x", new SplittableRandom()))
                .isInstanceOf(ObjectStoreException.Permanent.class);
    }

    @Test
    void aPercentEncodedUriNamesTheDecodedPath() throws Exception {
        Path spaced = Files.createDirectory(root.resolve("with space"));
        FileObjectStore s = FileObjectStore.open(spaced.toUri().toString(), new SplittableRandom());
        assertThat(s.describe()).contains("with%20space");
        s.put("k", ByteBuffer.wrap(new byte[0]), 0, Map.of());
        assertThat(spaced.resolve("k")).exists();
    }

    private ObjectInfo put(String key, String text, Map<String, String> meta) throws ObjectStoreException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return store.put(key, ByteBuffer.wrap(b), crc(b), meta);
    }

    private Part part(Upload u, int n, String text) throws ObjectStoreException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return store.uploadPart(u, n, ByteBuffer.wrap(b), crc(b));
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }
}
