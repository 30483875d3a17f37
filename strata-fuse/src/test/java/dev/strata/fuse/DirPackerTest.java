package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.FileType;
import dev.strata.core.fs.Entry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DirPackerTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private final MemorySegment buf = Arena.ofAuto().allocate(8192, 8);
    private final DirPacker p = new DirPacker();

    private static byte[] n(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void direntsArePaddedToEightBytes() {
        assertThat(DirPacker.direntSize(1)).isEqualTo(32);
        assertThat(DirPacker.direntSize(8)).isEqualTo(32);
        assertThat(DirPacker.direntSize(9)).isEqualTo(40);
        assertThat(DirPacker.direntPlusSize(1)).isEqualTo(160);
        assertThat(DirPacker.direntPlusSize(8)).isEqualTo(160);
        assertThat(DirPacker.direntPlusSize(9)).isEqualTo(168);
    }

    @Test
    void packsDirentsWithZeroPadding() {
        buf.fill((byte) 0x77);
        p.reset(buf, 4096, Timeout.ZERO, Timeout.ZERO);
        assertThat(p.add(n("."), 1, FileType.DIRECTORY, 1)).isTrue();
        assertThat(p.add(n("hello.txt"), 42, FileType.REGULAR, 2)).isTrue();
        assertThat(p.size()).isEqualTo(32 + 40);
        assertThat(buf.get(U64, 0)).isEqualTo(1);
        assertThat(buf.get(U64, 8)).isEqualTo(1);
        assertThat(buf.get(U32, 16)).isEqualTo(1);
        assertThat(buf.get(U32, 20)).isEqualTo(4); // DT_DIR
        assertThat(buf.get(ValueLayout.JAVA_BYTE, 24)).isEqualTo((byte) '.');
        assertThat(buf.asSlice(25, 7).toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
        assertThat(buf.get(U64, 32)).isEqualTo(42);
        assertThat(buf.get(U64, 40)).isEqualTo(2);
        assertThat(buf.get(U32, 48)).isEqualTo(9);
        assertThat(buf.get(U32, 52)).isEqualTo(8); // DT_REG
        assertThat(new String(buf.asSlice(56, 9).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                .isEqualTo("hello.txt");
        assertThat(buf.asSlice(65, 7).toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
        assertThat(buf.get(ValueLayout.JAVA_BYTE, 72)).as("untouched past the end").isEqualTo((byte) 0x77);
    }

    @Test
    void refusesWhatDoesNotFitAndStopsThere() {
        p.reset(buf, 70, Timeout.ZERO, Timeout.ZERO);
        assertThat(p.add(n("aaaaaaaa"), 2, FileType.REGULAR, 1)).isTrue(); // 32
        assertThat(p.add(n("bbbbbbbb"), 3, FileType.REGULAR, 2)).isTrue(); // 64
        assertThat(p.add(n("c"), 4, FileType.REGULAR, 3)).isFalse(); // would be 96 > 70
        assertThat(p.size()).isEqualTo(64);
        assertThat(p.count()).isEqualTo(2);
    }

    @Test
    void direntPlusCarriesTheEntryAndZeroNodeForDots() {
        p.reset(buf, 4096, new Timeout(1, 2), new Timeout(3, 4));
        assertThat(p.add(n(".."), null, 4, 1, 2)).isTrue();
        assertThat(p.add(n("f"), new Entry(9, 1, StructLayoutTest.ATTR), 8, 9, 3)).isTrue();
        assertThat(buf.get(U64, 0)).as(".. has nodeid 0").isZero();
        assertThat(buf.get(U64, 128)).as("dirent ino of ..").isEqualTo(1);
        assertThat(buf.get(U64, 136)).isEqualTo(2);
        assertThat(buf.get(U32, 144)).isEqualTo(2);
        assertThat(buf.get(U32, 148)).isEqualTo(4);
        long second = DirPacker.direntPlusSize(2);
        assertThat(buf.get(U64, second)).isEqualTo(9);
        assertThat(buf.get(U64, second + 16)).as("entry_valid").isEqualTo(1);
        assertThat(buf.get(U64, second + 24)).as("attr_valid").isEqualTo(3);
        assertThat(buf.get(U64, second + 128)).isEqualTo(9);
        assertThat(p.size()).isEqualTo(second + DirPacker.direntPlusSize(1));
    }

    @Test
    void aFullBufferRefusesReaddirplusEntries() {
        p.reset(buf, 200, Timeout.ZERO, Timeout.ZERO);
        assertThat(p.add(n("a"), new Entry(5, 0, StructLayoutTest.ATTR), 8, 5, 1)).isTrue();
        assertThat(p.add(n("b"), new Entry(6, 0, StructLayoutTest.ATTR), 8, 6, 2)).isFalse();
        assertThat(p.count()).isEqualTo(1);
    }
}
