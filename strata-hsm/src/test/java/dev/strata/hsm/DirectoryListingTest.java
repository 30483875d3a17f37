package dev.strata.hsm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.hsm.DirectoryListing.Child;
import dev.strata.hsm.MirrorKeys.SkipReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DirectoryListingTest {
    private final MirrorKeys.SkipCounts skips = new MirrorKeys.SkipCounts();

    private static ObjectInfo object(String key) {
        return new ObjectInfo(key, 1, "e", Instant.EPOCH, Map.of(), false);
    }

    private static ListPage page(List<String> objects, List<String> prefixes) {
        return new ListPage(objects.stream().map(DirectoryListingTest::object).toList(), prefixes, null);
    }

    private static List<String> describe(List<Child> children) {
        return children.stream().map(c -> c.name() + (c.directory() ? "/" : "")).toList();
    }

    private List<String> run(String prefix, int maxPending, ListPage... pages) {
        DirectoryListing listing = new DirectoryListing(prefix, skips, maxPending);
        List<Child> out = new ArrayList<>();
        for (ListPage p : pages) {
            out.addAll(listing.accept(p));
        }
        out.addAll(listing.finish());
        return describe(out);
    }

    @Test
    void filesAndDirectoriesOfAPrefix() {
        List<String> children = run("d/", 100,
                page(List.of("d/", "d/a.txt", "d/b", "d/ü🦀"), List.of("d/sub/", "d/z/")));
        assertThat(children).containsExactlyInAnyOrder("a.txt", "b", "sub/", "z/", "ü🦀");
        assertThat(skips.total()).isZero();
    }

    @Test
    void theDirectoryWinsOverAFileOfTheSameName() {
        List<String> children = run("", 100, page(List.of("x", "x-1", "x.txt", "y"), List.of("x/")));
        assertThat(children).containsExactlyInAnyOrder("x/", "x-1", "x.txt", "y");
        assertThat(skips.get(SkipReason.FILE_DIRECTORY_CONFLICT)).isEqualTo(1);
    }

    @Test
    void theConflictIsFoundAcrossPages() {
        List<String> children = run("p/", 100,
                page(List.of("p/x"), List.of()),
                page(List.of("p/x!", "p/x-"), List.of()),
                page(List.of(), List.of("p/x/")),
                page(List.of("p/y"), List.of()));
        assertThat(children).containsExactlyInAnyOrder("x!", "x-", "x/", "y");
        assertThat(skips.get(SkipReason.FILE_DIRECTORY_CONFLICT)).isEqualTo(1);
    }

    @Test
    void filesAreReleasedOnceTheListingHasPassedTheirDirectoryForm() {
        DirectoryListing listing = new DirectoryListing("", skips, 100);
        assertThat(listing.accept(page(List.of("a"), List.of()))).isEmpty();
        assertThat(describe(listing.accept(page(List.of("b"), List.of())))).containsExactly("a");
        assertThat(describe(listing.finish())).containsExactly("b");
    }

    @Test
    void aMarkerAndThePrefixOfItsContentsAreOneDirectory() {
        List<String> children = run("", 100, page(List.of("m/"), List.of("m/")));
        assertThat(children).containsExactly("m/");
    }

    @Test
    void invalidKeysAreSkippedAndCounted() {
        List<String> children = run("d/", 100, page(
                List.of("d/..", "d/.", "d/ok", "d/a\0b", "d/" + "x".repeat(256), "e/outside", "d/\uD800"),
                List.of("d//", "d/../", "d/fine/")));
        assertThat(children).containsExactlyInAnyOrder("ok", "fine/");
        assertThat(skips.snapshot()).isEqualTo(Map.of(
                SkipReason.DOT_COMPONENT, 3L,
                SkipReason.NUL, 1L,
                SkipReason.COMPONENT_TOO_LONG, 1L,
                SkipReason.OUTSIDE_PREFIX, 1L,
                SkipReason.UNPAIRED_SURROGATE, 1L,
                SkipReason.EMPTY_COMPONENT, 1L));
    }

    @Test
    void theHoldBackIsBounded() {
        DirectoryListing listing = new DirectoryListing("", skips, 3);
        List<String> chain = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            chain.add("x" + "!".repeat(i));
        }
        List<Child> out = new ArrayList<>(listing.accept(page(chain, List.of())));
        assertThat(out).hasSize(7);
        assertThat(listing.uncheckedConflicts()).isEqualTo(7);
        out.addAll(listing.accept(page(List.of(), List.of("x!!!!!!!!!/"))));
        out.addAll(listing.finish());
        // The held-back files were still checked: x!!!!!!!!! lost to its directory.
        assertThat(describe(out)).hasSize(10).contains("x!!!!!!!!!/").doesNotHaveDuplicates();
        assertThat(skips.get(SkipReason.FILE_DIRECTORY_CONFLICT)).isEqualTo(1);
    }

    @Test
    void childrenKeepUtf8ByteOrderAcrossSupplementaryCharacters() {
        // In UTF-16 order U+FFFD sorts after U+1F980; in UTF-8 byte order (the stores' order) before.
        DirectoryListing listing = new DirectoryListing("", skips, 100);
        List<Child> out = new ArrayList<>(listing.accept(page(List.of("\uFFFD", "🦀"), List.of())));
        out.addAll(listing.finish());
        assertThat(describe(out)).containsExactly("\uFFFD", "🦀");
        assertThat("\uFFFD".compareTo("🦀")).as("UTF-16 order differs").isPositive();
    }
}
