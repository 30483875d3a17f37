package dev.strata.it.tier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.it.StrataProcess;
import dev.strata.nativeio.Libc;
import dev.strata.testkit.process.Azurite;
import dev.strata.testkit.process.AzuriteExtension;
import dev.strata.testkit.process.S3Mock;
import dev.strata.testkit.process.S3MockExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bucket is a readable 1:1 mirror of the mount (docs/CAPACITY-TIER.md, "Objects"), checked from
 * outside Strata with rclone on each kind of store: a tree written through the mount and archived
 * on request is listed by rclone exactly, with identical bytes and with the FSx-for-Lustre
 * attribute metadata on every object; released files read back identically through the mount
 * (from the store: their local data is gone); and a directory rename and an unlink reach the
 * bucket.
 */
@ExtendWith({AzuriteExtension.class, S3MockExtension.class})
class TierMirrorTest {
    /** Above Strata's 16 MiB part size, so the upload is multipart (S3) or staged blocks (Azure). */
    private static final int BIG_BYTES = 40 << 20;
    private static final Duration ARCHIVE_LIMIT = Duration.ofSeconds(90);
    private static final Duration REPLAY_LIMIT = Duration.ofSeconds(60);
    private static final List<String> ATTRIBUTES = List.of("file-permissions", "file-owner", "file-group", "file-mtime");

    @TempDir
    Path work;

    @Test
    void localDirectoryStore() throws Exception {
        roundTrip(new FileTierStore(work.resolve("bucket")));
    }

    @Test
    void azureBlobOnAzurite(Azurite azurite) throws Exception {
        TierMounts.assumeReady();
        roundTrip(new AzureTierStore(azurite, "strata-it", TierMounts.prefix("mirror")));
    }

    @Test
    void s3OnS3Mock(S3Mock s3) throws Exception {
        TierMounts.assumeReady();
        roundTrip(new S3TierStore(s3, TierMounts.prefix("mirror"), work.resolve("s3-scratch")));
    }

    private void roundTrip(TierStore store) throws Exception {
        TierMounts.assumeReady();
        Rclone rclone = store.rclone(work.resolve("rclone"));
        MirrorTree tree = MirrorTree.sample(42, BIG_BYTES);
        try (StrataProcess s = TierMounts.mount(work, store)) {
            TierMounts.showingLogOnFailure(s, () -> {
                Path root = s.mountpoint();
                tree.create(root);
                archiveAll(tree.files(root));
                Hsm.awaitNamespaceReplayed(root, REPLAY_LIMIT);

                assertThat(rclone.list()).as("rclone lsf -R of " + store).isEqualTo(tree.listing(store.rcloneShowsEmptyDirectories()));
                Path copy = work.resolve("copy");
                rclone.copyTo(copy);
                tree.assertCopyMatches(copy);
                assertAttributes(store, tree, root);

                releaseAndReadBack(tree, root);

                Files.move(root.resolve("top/data"), root.resolve("top/moved"));
                Files.delete(root.resolve("top/readme.txt"));
                MirrorTree after = tree.renamed("top/data", "top/moved").without("top/readme.txt");
                awaitListing(rclone, after.listing(store.rcloneShowsEmptyDirectories()));
                MirrorTree.assertSameBytes("object top/moved/big.bin after the rename", rclone.cat("top/moved/big.bin"),
                        after.get("top/moved/big.bin").bytes());
                assertAttributes(store, after, root);
                // Still released, now under its new name: read from the moved object.
                Path movedBig = root.resolve("top/moved/big.bin");
                assertThat(Hsm.state(movedBig)).isEqualTo("released");
                Hsm.dropCaches();
                MirrorTree.assertSameBytes("top/moved/big.bin read through the mount", Files.readAllBytes(movedBig),
                        after.get("top/moved/big.bin").bytes());
            });
        }
    }

    private static void archiveAll(List<Path> files) throws Exception {
        for (Path f : files) {
            Hsm.request(f, "archive");
        }
        Hsm.awaitState(files, "archived", ARCHIVE_LIMIT);
    }

    /**
     * Every object and directory marker carries the file's attributes under FSx for Lustre's names:
     * permissions in octal with the type bits, owner and group as numbers, and, for files and
     * symlinks, the mtime in nanoseconds as the mount reports it; a symlink's strata-crc32c, if
     * present, is its target's. (A directory's marker is written
     * when the directory is made; its mtime moves with every entry added later and is not
     * re-mirrored, so it is not compared.)
     */
    private static void assertAttributes(TierStore store, MirrorTree tree, Path root) throws Exception {
        for (MirrorTree.Entry e : tree.entries()) {
            boolean dir = e.type() == MirrorTree.Type.DIRECTORY;
            Optional<Map<String, String>> md = store.metadata(e.path(), dir);
            assertThat(md).as("object of " + e.path() + " in " + store).isPresent();
            assertThat(md.get()).as("metadata of " + e.path()).containsKeys(ATTRIBUTES.toArray(String[]::new));
            Libc.Statx st = Libc.stat(root.resolve(e.path()), true);
            assertThat(md.get().get("file-permissions")).as("file-permissions of " + e.path())
                    .isEqualTo("0" + Integer.toOctalString(st.mode()));
            assertThat(md.get().get("file-owner")).as("file-owner of " + e.path()).isEqualTo(Integer.toString(st.uid()));
            assertThat(md.get().get("file-group")).as("file-group of " + e.path()).isEqualTo(Integer.toString(st.gid()));
            if (!dir) {
                assertThat(md.get().get("file-mtime")).as("file-mtime of " + e.path())
                        .isEqualTo((st.mtimeSec() * 1_000_000_000L + st.mtimeNsec()) + "ns");
            }
            if (e.type() == MirrorTree.Type.SYMLINK) {
                // Optional, but if there it must be right: the object holds the target. (It used
                // to say 00000000, which an import or a scrub would take for corruption.)
                CRC32C crc = new CRC32C();
                crc.update(e.bytes());
                assertThat(md.get().get("strata-crc32c")).as("strata-crc32c of symlink " + e.path())
                        .isIn(null, String.format("%08x", (int) crc.getValue()));
            }
        }
    }

    /** Release every file (synchronous: the state is released when setxattr returns), then read them all back. */
    private static void releaseAndReadBack(MirrorTree tree, Path root) throws Exception {
        List<Path> files = tree.files(root);
        for (Path f : files) {
            Hsm.request(f, "release");
            assertThat(Hsm.state(f)).as("state of " + f + " after release").isEqualTo("released");
            assertThat(Hsm.blocks(f)).as("st_blocks of released " + f).isZero();
        }
        Hsm.dropCaches();
        for (Path f : files) {
            MirrorTree.assertSameBytes(f + " read through the mount after release", Files.readAllBytes(f),
                    tree.get(root.relativize(f).toString()).bytes());
            assertThat(Hsm.state(f)).as("reading does not restore " + f).isEqualTo("released");
        }
    }

    /** Polls rclone's listing until it equals {@code expected}; fails with the last listing after {@link #REPLAY_LIMIT}. */
    private static void awaitListing(Rclone rclone, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + REPLAY_LIMIT.toNanos();
        List<String> last = rclone.list();
        while (!last.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = rclone.list();
        }
        assertThat(last).as("the bucket after the rename and the unlink, within " + REPLAY_LIMIT).isEqualTo(expected);
    }
}
