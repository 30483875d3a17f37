package dev.strata.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.Name;
import dev.strata.hsm.MirrorKeys.Accepted;
import dev.strata.hsm.MirrorKeys.Rejected;
import dev.strata.hsm.MirrorKeys.SkipReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MirrorKeysTest {

    private static List<Name> path(String... names) throws Exception {
        List<Name> out = new ArrayList<>();
        for (String n : names) {
            out.add(Name.of(n));
        }
        return out;
    }

    @Test
    void pathsMapToKeysOneToOne() throws Exception {
        assertThat(MirrorKeys.keyOf(path("a", "b", "c"), false)).isEqualTo("a/b/c");
        assertThat(MirrorKeys.keyOf(path("a", "b"), true)).isEqualTo("a/b/");
        assertThat(MirrorKeys.keyOf(path("日本", "ファイル 🦀.bin"), false)).isEqualTo("日本/ファイル 🦀.bin");
        assertThat(MirrorKeys.keyOf(path("back\\slash", "tab\tnl\n", "..."), false)).isEqualTo("back\\slash/tab\tnl\n/...");
        assertThat(MirrorKeys.dirPrefix(List.of())).isEmpty();
        assertThat(MirrorKeys.dirPrefix(path("d"))).isEqualTo("d/");
        assertThatThrownBy(() -> MirrorKeys.keyOf(List.of(), false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesWithoutAKeyAreRefused() throws Exception {
        Name latin1 = Name.of(new byte[] {'c', 'a', 'f', (byte) 0xE9}); // "café" in ISO-8859-1
        assertThatThrownBy(() -> MirrorKeys.keyOf(List.of(latin1), false))
                .isInstanceOf(MirrorKeys.Unmirrorable.class).hasMessageContaining("UTF-8");
        Name encodedSurrogate = Name.of(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // CESU-8 U+D800
        assertThatThrownBy(() -> MirrorKeys.keyOf(List.of(encodedSurrogate), false))
                .isInstanceOf(MirrorKeys.Unmirrorable.class);
        List<Name> deep = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            deep.add(Name.of("x".repeat(250)));
        }
        assertThatThrownBy(() -> MirrorKeys.keyOf(deep, false))
                .isInstanceOf(MirrorKeys.Unmirrorable.class).hasMessageContaining("1024");
        assertThat(MirrorKeys.keyOf(deep.subList(0, 4), true)).hasSize(4 * 251);
    }

    @Test
    void validKeysParseIntoTheirPath() throws Exception {
        assertThat(MirrorKeys.parse("a/b/c")).isEqualTo(new Accepted(path("a", "b", "c"), false));
        assertThat(MirrorKeys.parse("a/b/")).isEqualTo(new Accepted(path("a", "b"), true));
        assertThat(MirrorKeys.parse("🦀/ü")).isEqualTo(new Accepted(path("🦀", "ü"), false));
        assertThat(MirrorKeys.parse("...")).isEqualTo(new Accepted(path("..."), false));
        assertThat(MirrorKeys.parse(".hidden/..x/x..")).isEqualTo(new Accepted(path(".hidden", "..x", "x.."), false));
        assertThat(MirrorKeys.parse("x".repeat(255))).isInstanceOf(Accepted.class);
        // 85 three-byte characters are 255 bytes: still a name.
        assertThat(MirrorKeys.parse("語".repeat(85))).isInstanceOf(Accepted.class);
    }

    @Test
    void hostileKeysAreRejectedWithTheirReason() {
        Object[][] cases = {
                {"", SkipReason.EMPTY_KEY},
                {"/", SkipReason.EMPTY_COMPONENT},
                {"//", SkipReason.EMPTY_COMPONENT},
                {"/etc/passwd", SkipReason.EMPTY_COMPONENT},
                {"a//b", SkipReason.EMPTY_COMPONENT},
                {"a/b//", SkipReason.EMPTY_COMPONENT},
                {".", SkipReason.DOT_COMPONENT},
                {"..", SkipReason.DOT_COMPONENT},
                {"../escape", SkipReason.DOT_COMPONENT},
                {"a/../../etc/passwd", SkipReason.DOT_COMPONENT},
                {"a/./b", SkipReason.DOT_COMPONENT},
                {"a/..", SkipReason.DOT_COMPONENT},
                {"a/../", SkipReason.DOT_COMPONENT},
                {"./", SkipReason.DOT_COMPONENT},
                {"x".repeat(256), SkipReason.COMPONENT_TOO_LONG},
                {"ok/" + "語".repeat(86), SkipReason.COMPONENT_TOO_LONG},
                {"a\0b", SkipReason.NUL},
                {"a/\0", SkipReason.NUL},
                {"a\uD800b", SkipReason.UNPAIRED_SURROGATE},
                {"a\uDC00", SkipReason.UNPAIRED_SURROGATE},
                {"\uD83E", SkipReason.UNPAIRED_SURROGATE},
                {"\uDD80\uD83E", SkipReason.UNPAIRED_SURROGATE},
        };
        for (Object[] c : cases) {
            assertThat(MirrorKeys.parse((String) c[0])).as("key %s", c[0]).isEqualTo(new Rejected((SkipReason) c[1]));
        }
    }

    /**
     * Random keys over an alphabet of the dangerous characters: whatever is accepted round-trips to
     * the same key and, resolved under a root directory, stays inside it.
     */
    @Test
    void noAcceptedKeyLeadsOutsideTheRoot() throws Exception {
        String[] alphabet = {"a", "é", "🦀", ".", ".", "/", "/", "\\", "\0", "\uD800", "\uDC00", " ", "%2e", "~"};
        SplittableRandom random = new SplittableRandom(2024);
        Path root = Path.of("/srv/strata-root");
        int accepted = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder key = new StringBuilder();
            int n = random.nextInt(1, 12);
            for (int j = 0; j < n; j++) {
                key.append(alphabet[random.nextInt(alphabet.length)]);
            }
            if (random.nextInt(50) == 0) {
                key.append("y".repeat(random.nextInt(250, 260)));
            }
            String k = key.toString();
            if (MirrorKeys.parse(k) instanceof Accepted(List<Name> names, boolean directory)) {
                accepted++;
                assertThat(names).isNotEmpty();
                Path resolved = root;
                for (Name name : names) {
                    String s = new String(name.unsafeBytes(), StandardCharsets.UTF_8);
                    assertThat(s).doesNotContain("/", "\0").isNotIn(".", "..", "");
                    assertThat(name.length()).isLessThanOrEqualTo(255);
                    resolved = resolved.resolve(s);
                }
                assertThat(resolved.normalize().startsWith(root)).as("key %s", k).isTrue();
                assertThat(resolved.normalize().getNameCount()).isEqualTo(root.getNameCount() + names.size());
                assertThat(MirrorKeys.keyOf(names, directory)).isEqualTo(k);
            }
        }
        assertThat(accepted).as("the generator also makes valid keys").isGreaterThan(1_000);
    }

    @Test
    void skipCountsCountPerReason() {
        var counts = new MirrorKeys.SkipCounts();
        counts.add(SkipReason.NUL);
        counts.add(SkipReason.NUL);
        counts.add(SkipReason.DOT_COMPONENT);
        assertThat(counts.get(SkipReason.NUL)).isEqualTo(2);
        assertThat(counts.total()).isEqualTo(3);
        assertThat(counts.snapshot()).containsOnlyKeys(SkipReason.NUL, SkipReason.DOT_COMPONENT);
    }
}
