package dev.strata.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObjectKeysTest {
    @Test
    void utf8OrderIsTheOrderOfTheBytes() {
        Random random = new Random(42);
        int[] pool = {'a', 'b', '/', '.', '-', 0xe9, 0xfffd, 0xe000, 0x1f600, 0x10000};
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(5); j >= 0; j--) {
                sb.appendCodePoint(pool[random.nextInt(pool.length)]);
            }
            keys.add(sb.toString());
        }
        List<String> byBytes = new ArrayList<>(keys);
        byBytes.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        List<String> byComparator = new ArrayList<>(keys);
        byComparator.sort(ObjectKeys.UTF8_ORDER);
        assertThat(byComparator).isEqualTo(byBytes);
    }

    @Test
    void keyRules() {
        for (String ok : List.of("a", "a/b", "a/b/", "a b", "\u00fc/\uD83D\uDE00", "a..b", ".hidden", "x".repeat(1024))) {
            assertThat(ObjectKeys.keyProblem(ok)).as(ok).isNull();
        }
        for (String bad : List.of("", "/", "/a", "a//b", "//", "./a", "a/..", "a/../", "a\tb", "a\u007f",
                "\uD83D", "x".repeat(1025), "\u00fc".repeat(513))) {
            assertThat(ObjectKeys.keyProblem(bad)).as(bad).isNotNull();
        }
    }

    @Test
    void metadataRules() {
        assertThat(ObjectKeys.metadataProblem(Map.of("file-mtime", "1700000000123456789ns", "a1", ""))).isNull();
        assertThat(ObjectKeys.metadataProblem(Map.of("-a", "x"))).contains("start with");
        assertThat(ObjectKeys.metadataProblem(Map.of("a", "x "))).contains("space");
        assertThat(ObjectKeys.metadataProblem(Map.of("a", "x".repeat(2047)))).isNull();
        assertThat(ObjectKeys.metadataProblem(Map.of("a", "x".repeat(2048)))).contains("2048");
    }
}
