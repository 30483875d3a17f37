package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotificationsAndMountTableTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    @Test
    void invalInodeIsAnUnsolicitedMessage() {
        MemorySegment m = Notifications.invalInode(Arena.ofAuto(), 42, 4096, -1);
        assertThat(m.byteSize()).isEqualTo(40);
        assertThat(m.get(U32, 0)).isEqualTo(40);
        assertThat(m.get(U32, 4)).as("error field carries the notify code").isEqualTo(2);
        assertThat(m.get(U64, 8)).as("unique 0").isZero();
        assertThat(m.get(U64, 16)).isEqualTo(42);
        assertThat(m.get(U64, 24)).isEqualTo(4096);
        assertThat(m.get(U64, 32)).isEqualTo(-1);
    }

    @Test
    void invalEntryCarriesTheNameWithItsNul() {
        byte[] name = "file.txt".getBytes(StandardCharsets.UTF_8);
        MemorySegment m = Notifications.invalEntry(Arena.ofAuto(), 7, name);
        assertThat(m.byteSize()).isEqualTo(16 + 16 + 8 + 1);
        assertThat(m.get(U32, 0)).isEqualTo(41);
        assertThat(m.get(U32, 4)).isEqualTo(3);
        assertThat(m.get(U64, 8)).isZero();
        assertThat(m.get(U64, 16)).isEqualTo(7);
        assertThat(m.get(U32, 24)).isEqualTo(8);
        assertThat(m.get(U32, 28)).as("flags").isZero();
        assertThat(m.asSlice(32, 8).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(name);
        assertThat(m.get(ValueLayout.JAVA_BYTE, 40)).isZero();
    }

    @Test
    void parsesMountinfoWithEscapes() {
        String text = """
                22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
                97 29 0:52 / /tmp/with\\040space rw,nosuid,nodev,relatime shared:50 - fuse.strata strata rw,user_id=0
                98 29 0:53 / /mnt/x rw,relatime - fuse fusefs rw
                bogus line
                """;
        List<MountTable.Mount> mounts = MountTable.parse(text);
        assertThat(mounts).hasSize(3);
        assertThat(mounts.get(1)).isEqualTo(new MountTable.Mount("/tmp/with space", "fuse.strata", "strata"));
        assertThat(mounts.get(1).isFuse()).isTrue();
        assertThat(mounts.get(2).isFuse()).isTrue();
        assertThat(mounts.get(0).isFuse()).isFalse();
        assertThat(MountTable.unescape("a\\134b\\011c")).isEqualTo("a\\b\tc");
        assertThat(MountTable.unescape("plain")).isEqualTo("plain");
    }
}
