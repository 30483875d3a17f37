package dev.strata.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ListingsTest {
    private final TreeSet<String> keys = new TreeSet<>(ObjectKeys.UTF8_ORDER);

    @Test
    void everyPageSizeYieldsTheSameEntries() throws Exception {
        keys.addAll(List.of("d/", "d/a", "d/b/", "d/b/x", "d/c/y/z", "d/c/y/w", "d/d", "d/e/", "e"));
        for (boolean delimited : new boolean[] {false, true}) {
            List<String> expected = entries("d/", delimited, 1000);
            for (int max = 1; max <= 6; max++) {
                assertThat(entries("d/", delimited, max)).as("delimited %s, max %d", delimited, max).isEqualTo(expected);
            }
        }
        assertThat(entries("d/", true, 1000)).containsExactly("d/a", "d/b/", "d/c/", "d/d", "d/e/");
        assertThat(entries("d/", false, 1000)).containsExactly("d/a", "d/b/", "d/b/x", "d/c/y/w", "d/c/y/z", "d/d", "d/e/");
    }

    private List<String> entries(String prefix, boolean delimited, int max) throws ObjectStoreException {
        List<String> out = new ArrayList<>();
        String continuation = null;
        do {
            ListPage page = Listings.page("test", keys.tailSet(prefix, true).iterator(),
                    k -> new ObjectInfo(k, 0, "e", Instant.EPOCH, Map.of(), false), prefix, delimited, continuation, max);
            assertThat(page.objects().size() + page.prefixes().size()).isLessThanOrEqualTo(max);
            // Merge objects and prefixes back into one ordered run for comparison.
            TreeSet<String> merged = new TreeSet<>(ObjectKeys.UTF8_ORDER);
            page.objects().forEach(o -> merged.add(o.key()));
            merged.addAll(page.prefixes());
            out.addAll(merged);
            continuation = page.continuation();
        } while (continuation != null);
        return out;
    }
}
