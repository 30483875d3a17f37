package dev.strata.hsm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.FileType;
import dev.strata.core.Timespec;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MirrorAttributesTest {
    private static final MirrorAttributes.Defaults DEFAULTS = new MirrorAttributes.Defaults(0644, 0755, 1000, 1000, false);
    private static final Instant LAST_MODIFIED = Instant.ofEpochSecond(1_600_000_000, 5);
    private static final Timespec LAST_MODIFIED_TS = new Timespec(1_600_000_000, 5);

    private final MirrorAttributes attributes = new MirrorAttributes(DEFAULTS);

    @Test
    void encodesInTheFormatsFsxForLustreUses() {
        Map<String, String> md = MirrorAttributes.encode(
                new MirrorAttributes.Posix(0100644, 1001, 2002, new Timespec(1_700_000_000, 123_456_789)),
                new MirrorAttributes.Identity(42, 7, 0x0000beef));
        assertThat(md).containsExactly(
                Map.entry("file-permissions", "0100644"),
                Map.entry("file-owner", "1001"),
                Map.entry("file-group", "2002"),
                Map.entry("file-mtime", "1700000000123456789ns"),
                Map.entry("strata-ino", "42"),
                Map.entry("strata-gen", "7"),
                Map.entry("strata-crc32c", "0000beef"));
        // Every name and value follows the ObjectStore port's rules.
        md.forEach((k, v) -> {
            assertThat(k).matches("[a-z0-9-]+");
            assertThat(v).matches("[\\x20-\\x7e]+");
        });
    }

    @Test
    void directoriesSymlinksAndExtremeValuesEncode() {
        assertThat(MirrorAttributes.encode(new MirrorAttributes.Posix(040755, 0, 0, Timespec.EPOCH), null))
                .containsEntry("file-permissions", "040755").containsEntry("file-mtime", "0ns")
                .doesNotContainKey("strata-ino");
        Map<String, String> md = MirrorAttributes.encode(
                new MirrorAttributes.Posix(0120777, -1, -2, new Timespec(-1, 500_000_000)), null);
        assertThat(md).containsEntry("file-permissions", "0120777")
                .containsEntry("file-owner", "4294967295").containsEntry("file-group", "4294967294")
                .containsEntry("file-mtime", "-500000000ns");
    }

    @Test
    void roundTripsRandomAttributes() {
        SplittableRandom random = new SplittableRandom(3);
        MirrorAttributes keeping = new MirrorAttributes(new MirrorAttributes.Defaults(0644, 0755, 0, 0, true));
        int[] types = {0100000, 0120000};
        for (int i = 0; i < 2_000; i++) {
            int mode = types[random.nextInt(2)] | random.nextInt(010000);
            var posix = new MirrorAttributes.Posix(mode, random.nextInt(), random.nextInt(),
                    new Timespec(random.nextLong(-(1L << 40), 1L << 40), random.nextInt(1_000_000_000)));
            var identity = new MirrorAttributes.Identity(random.nextLong(1, Long.MAX_VALUE),
                    random.nextLong(0, Long.MAX_VALUE), random.nextInt());
            var decoded = keeping.decode(MirrorAttributes.encode(posix, identity), false, LAST_MODIFIED);
            assertThat(decoded.mode()).isEqualTo(mode);
            assertThat(decoded.uid()).isEqualTo(posix.uid());
            assertThat(decoded.gid()).isEqualTo(posix.gid());
            assertThat(decoded.mtime()).isEqualTo(posix.mtime());
            assertThat(decoded.ino()).hasValue(identity.ino());
            assertThat(decoded.generation()).hasValue(identity.generation());
            assertThat(decoded.crc32c()).isEqualTo(OptionalInt.of(identity.crc32c()));
            assertThat(decoded.malformed()).isEmpty();
        }
        assertThat(keeping.malformedValues()).isZero();
    }

    @Test
    void missingValuesTakeTheDefaultsWithoutCountingAsMalformed() {
        var file = attributes.decode(Map.of(), false, LAST_MODIFIED);
        assertThat(file.type()).isEqualTo(FileType.REGULAR);
        assertThat(file.mode()).isEqualTo(0100644);
        assertThat(file.uid()).isEqualTo(1000);
        assertThat(file.gid()).isEqualTo(1000);
        assertThat(file.mtime()).isEqualTo(LAST_MODIFIED_TS);
        assertThat(file.ino()).isEqualTo(OptionalLong.empty());
        var dir = attributes.decode(Map.of(), true, LAST_MODIFIED);
        assertThat(dir.type()).isEqualTo(FileType.DIRECTORY);
        assertThat(dir.mode()).isEqualTo(040755);
        assertThat(attributes.malformedValues()).isZero();
    }

    @Test
    void malformedValuesTakeTheDefaultsAndAreCounted() {
        Map<String, String> md = Map.of(
                "file-permissions", "rw-r--r--",
                "file-owner", "-1",
                "file-group", "99999999999",
                "file-mtime", "2023-11-14T22:13:20Z",
                "strata-ino", "0",
                "strata-gen", "-3",
                "strata-crc32c", "beef");
        var d = attributes.decode(md, false, LAST_MODIFIED);
        assertThat(d.mode()).isEqualTo(0100644);
        assertThat(d.uid()).isEqualTo(1000);
        assertThat(d.gid()).isEqualTo(1000);
        assertThat(d.mtime()).isEqualTo(LAST_MODIFIED_TS);
        assertThat(d.ino()).isEmpty();
        assertThat(d.generation()).isEmpty();
        assertThat(d.crc32c()).isEmpty();
        assertThat(d.malformed()).containsExactlyInAnyOrder("file-permissions", "file-owner", "file-group",
                "file-mtime", "strata-ino", "strata-gen", "strata-crc32c");
        assertThat(attributes.malformedValues()).isEqualTo(7);
    }

    @Test
    void otherToolsFormsAreReadToo() {
        // DataSync writes the mode without the leading zero; some tools write permission bits only.
        assertThat(attributes.decode(Map.of("file-permissions", "100755"), false, LAST_MODIFIED).mode())
                .isEqualTo(0100755);
        assertThat(attributes.decode(Map.of("file-permissions", "600"), false, LAST_MODIFIED).mode())
                .isEqualTo(0100600);
        assertThat(attributes.decode(Map.of("file-permissions", "700"), true, LAST_MODIFIED).mode())
                .isEqualTo(040700);
        // Names are matched whatever their case.
        assertThat(attributes.decode(Map.of("File-Owner", "5"), false, LAST_MODIFIED).uid()).isEqualTo(5);
        // A time before 1970.
        assertThat(attributes.decode(Map.of("file-mtime", "-1ns"), false, LAST_MODIFIED).mtime())
                .isEqualTo(new Timespec(-1, 999_999_999));
        assertThat(attributes.malformedValues()).isZero();
    }

    @Test
    void aSymlinkIsAnObjectWhoseModeSaysSo() {
        var d = attributes.decode(Map.of("file-permissions", "0120777"), false, LAST_MODIFIED);
        assertThat(d.type()).isEqualTo(FileType.SYMLINK);
        assertThat(d.mode()).isEqualTo(0120777);
    }

    @Test
    void aTypeThatContradictsTheKeyOrCannotBeImportedIsMalformed() {
        var dirModeOnAFile = attributes.decode(Map.of("file-permissions", "040755"), false, LAST_MODIFIED);
        assertThat(dirModeOnAFile.type()).isEqualTo(FileType.REGULAR);
        assertThat(dirModeOnAFile.mode()).isEqualTo(0100644);
        var fileModeOnAMarker = attributes.decode(Map.of("file-permissions", "0100600"), true, LAST_MODIFIED);
        assertThat(fileModeOnAMarker.type()).isEqualTo(FileType.DIRECTORY);
        assertThat(fileModeOnAMarker.mode()).isEqualTo(040755);
        var device = attributes.decode(Map.of("file-permissions", "060660"), false, LAST_MODIFIED);
        assertThat(device.type()).isEqualTo(FileType.REGULAR);
        assertThat(attributes.decode(Map.of("file-permissions", "0777777"), false, LAST_MODIFIED).malformed())
                .containsExactly("file-permissions");
        assertThat(attributes.malformedValues()).isEqualTo(4);
    }

    @Test
    void setIdBitsFromTheBucketAreDroppedUnlessTrusted() {
        Map<String, String> setuidRoot = Map.of("file-permissions", "0106755", "file-owner", "0");
        var d = attributes.decode(setuidRoot, false, LAST_MODIFIED);
        assertThat(d.mode()).isEqualTo(0100755);
        assertThat(d.uid()).isZero();
        var trusted = new MirrorAttributes(new MirrorAttributes.Defaults(0644, 0755, 0, 0, true));
        assertThat(trusted.decode(setuidRoot, false, LAST_MODIFIED).mode()).isEqualTo(0106755);
        // The sticky bit is harmless and kept.
        assertThat(attributes.decode(Map.of("file-permissions", "041777"), true, LAST_MODIFIED).mode())
                .isEqualTo(041777);
    }

    @Test
    void mtimesOutOfRangeAreMalformed() {
        String huge = "9".repeat(35) + "ns";
        assertThat(attributes.decode(Map.of("file-mtime", huge), false, LAST_MODIFIED).malformed())
                .containsExactly("file-mtime");
        assertThat(attributes.decode(Map.of("file-mtime", "ns"), false, LAST_MODIFIED).malformed())
                .containsExactly("file-mtime");
        assertThat(attributes.decode(Map.of("file-mtime", "-ns"), false, LAST_MODIFIED).malformed())
                .containsExactly("file-mtime");
        assertThat(attributes.decode(Map.of("file-mtime", "１２ns"), false, LAST_MODIFIED).malformed())
                .as("non-ASCII digits").containsExactly("file-mtime");
    }
}
