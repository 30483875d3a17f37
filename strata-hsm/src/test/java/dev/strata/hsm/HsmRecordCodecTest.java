package dev.strata.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FsException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HsmRecordCodecTest {

    @Test
    void roundTripsEveryStateAndOddKeys() throws Exception {
        String[] keys = {"a", "dir/file.bin", "ünïcödé/日本語/ファイル", "emoji/🦀🚀", "sp ace/tab\there",
                "x".repeat(1024), "\u0001ctl/\u007f"};
        for (HsmState state : HsmState.values()) {
            for (String key : keys) {
                HsmRecord r = new HsmRecord(state, 7, 5, key, "\"etag-0x8DC\"", 1L << 40, 0xCAFEBABE,
                        1_700_000_000_123L, 1_700_000_100_456L, state == HsmState.LOST ? "crc mismatch 🙁" : "");
                assertThat(HsmRecordCodec.decode(42, HsmRecordCodec.encode(r))).isEqualTo(r);
            }
        }
    }

    @Test
    void roundTripsRandomRecords() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 2_000; i++) {
            long data = random.nextLong(0, Long.MAX_VALUE);
            HsmRecord r = new HsmRecord(HsmState.values()[random.nextInt(HsmState.values().length)], data,
                    random.nextLong(0, data + 1), randomString(random), randomString(random),
                    random.nextLong(0, Long.MAX_VALUE), random.nextInt(), random.nextLong(), random.nextLong(),
                    randomString(random));
            assertThat(HsmRecordCodec.decode(i, HsmRecordCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void theNewRecordRoundTrips() throws Exception {
        assertThat(HsmRecordCodec.decode(1, HsmRecordCodec.encode(HsmRecord.NEW))).isEqualTo(HsmRecord.NEW);
    }

    @Test
    void anUnknownVersionIsAnErrorNamingTheInode() {
        byte[] value = HsmRecordCodec.encode(HsmRecord.NEW);
        value[0] = 9;
        assertThatThrownBy(() -> HsmRecordCodec.decode(4711, value))
                .isInstanceOf(FsException.IoFailure.class)
                .hasMessageContaining("inode 4711")
                .hasMessageContaining("version 9");
    }

    @Test
    void everyTruncationIsAnErrorNamingTheInode() {
        byte[] value = HsmRecordCodec.encode(new HsmRecord(HsmState.ARCHIVED, 3, 3, "k/ü", "e", 10, 1, 0, 5, ""));
        for (int length = 0; length < value.length; length++) {
            byte[] cut = Arrays.copyOf(value, length);
            assertThatThrownBy(() -> HsmRecordCodec.decode(77, cut))
                    .as("truncated to %d bytes", length)
                    .isInstanceOf(FsException.IoFailure.class)
                    .hasMessageContaining("inode 77");
        }
    }

    @Test
    void trailingBytesUnknownStatesAndBrokenInvariantsAreErrors() {
        byte[] value = HsmRecordCodec.encode(HsmRecord.NEW);
        byte[] longer = Arrays.copyOf(value, value.length + 1);
        assertThatThrownBy(() -> HsmRecordCodec.decode(1, longer)).hasMessageContaining("trailing");

        byte[] badState = value.clone();
        badState[1] = 'Z';
        assertThatThrownBy(() -> HsmRecordCodec.decode(2, badState)).hasMessageContaining("state code");

        byte[] generations = HsmRecordCodec.encode(new HsmRecord(HsmState.DIRTY, 1, 1, "", "", 0, 0, 0, 0, ""));
        generations[2 + 7] = 0; // dataGeneration 1 → 0, below archivedGeneration 1
        assertThatThrownBy(() -> HsmRecordCodec.decode(3, generations))
                .isInstanceOf(FsException.IoFailure.class).hasMessageContaining("inode 3");
    }

    @Test
    void invalidUtf8InAStringIsAnError() {
        byte[] value = HsmRecordCodec.encode(new HsmRecord(HsmState.ARCHIVED, 1, 1, "ab", "e", 0, 0, 0, 0, ""));
        int keyStart = 1 + 1 + 8 + 8 + 8 + 4 + 8 + 8 + 4;
        value[keyStart] = (byte) 0xC3; // a lead byte followed by 'b': malformed
        assertThatThrownBy(() -> HsmRecordCodec.decode(5, value)).hasMessageContaining("UTF-8");
    }

    @Test
    void longErrorsAreCutWithoutSplittingASurrogatePair() {
        String reason = "x".repeat(HsmRecord.MAX_ERROR_CHARS - 2) + "🦀🦀🦀";
        HsmRecord r = new HsmRecord(HsmState.LOST, 0, 0, "", "", 0, 0, 0, 0, reason);
        assertThat(r.lastError()).hasSizeLessThanOrEqualTo(HsmRecord.MAX_ERROR_CHARS).endsWith("…");
        assertThat(r.lastError().codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF)).isTrue();
    }

    private static String randomString(SplittableRandom random) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(0, 20);
        while (b.length() < n) {
            int cp = random.nextInt(0, 0x10FFFF + 1);
            if (!Character.isSurrogate((char) cp) || cp > 0xFFFF) {
                b.appendCodePoint(cp);
            }
        }
        return b.toString();
    }
}
