package dev.strata.meta.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
    private final RecordCodec codec = new RecordCodec("metadata at /test");
    private final byte[] key = Keys.inode(7);
    private final InodeRecord symlink = new InodeRecord.Builder().ino(7).mode(0120777).uid(1).gid(2).nlink(1).sizeBytes(3)
            .atime(new Timespec(1, 2)).mtime(new Timespec(3, 4)).ctime(new Timespec(5, 6)).btime(new Timespec(7, 8))
            .parent(1).target("abc".getBytes(StandardCharsets.UTF_8)).build();

    @Test
    void theVersion1FixedSectionHoldsEveryFixedField() {
        assertThat(RecordCodec.INODE_FIXED_V1_BYTES).isEqualTo(100);
    }

    /** A newer Strata appends a fixed field and a variable one; this reader skips both. */
    @Test
    void anInodeWrittenWithMoreFieldsStillDecodes() throws Exception {
        byte[] payload = payloadOf(codec.inodeValue(key, symlink));
        int extraFixed = 12;
        int extraTail = 5;
        ByteBuffer newer = ByteBuffer.allocate(payload.length + extraFixed + extraTail);
        int fixedLen = RecordCodec.INODE_FIXED_V1_BYTES;
        newer.putShort((short) (fixedLen + extraFixed));
        newer.put(payload, Short.BYTES, fixedLen);
        newer.put(new byte[extraFixed]);
        newer.put(payload, Short.BYTES + fixedLen, payload.length - Short.BYTES - fixedLen);
        newer.put(new byte[extraTail]);
        assertThat(codec.inode(key, Frame.seal(key, newer.array()))).isEqualTo(symlink);
    }

    @Test
    void anInodeWithATooShortFixedSectionIsCorrupt() {
        byte[] payload = payloadOf(codec.inodeValue(key, symlink));
        ByteBuffer.wrap(payload).putShort(0, (short) 40);
        assertThatThrownBy(() -> codec.inode(key, Frame.seal(key, payload))).isInstanceOf(FsException.IoFailure.class)
                .hasMessageContaining("metadata at /test: inode 7 is corrupt").hasMessageContaining("fixed section");
    }

    @Test
    void aTargetLongerThanTheRecordIsCorrupt() {
        byte[] payload = payloadOf(codec.inodeValue(key, symlink));
        ByteBuffer.wrap(payload).putInt(Short.BYTES + RecordCodec.INODE_FIXED_V1_BYTES, 1000);
        assertThatThrownBy(() -> codec.inode(key, Frame.seal(key, payload))).isInstanceOf(FsException.IoFailure.class)
                .hasMessageContaining("target length 1000");
    }

    @Test
    void keysSortNumericallyAndDescribeThemselves() throws Exception {
        assertThat(java.util.Arrays.compareUnsigned(Keys.inode(255), Keys.inode(256))).isNegative();
        assertThat(java.util.Arrays.compareUnsigned(Keys.cookie(1, 1L << 40), Keys.cookie(2, 3))).isNegative();
        assertThat(Keys.describe(Keys.entry(5, Name.of(new byte[] {'a', (byte) 0xFF})))).isEqualTo("entry 'a\\xff' in directory 5");
        assertThat(Keys.describe(Keys.mark(Mark.OPEN_FOR_WRITE, 9))).isEqualTo("mark 'W' of inode 9");
        assertThat(Keys.describe(new byte[] {'I', 1})).startsWith("malformed key");
        assertThat(Keys.upperBound(new byte[] {'C', 0, (byte) 0xFF})).containsExactly('C', 1);
    }

    private static byte[] payloadOf(byte[] value) {
        ByteBuffer p = Frame.open(Keys.inode(7), value);
        byte[] out = new byte[p.remaining()];
        p.get(out);
        return out;
    }
}
