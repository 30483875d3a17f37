package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.strata.core.Caller;
import dev.strata.core.FsException;
import dev.strata.core.fs.Attr;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Malformed and hostile requests fed straight to the dispatcher get error replies, never exceptions. */
class DispatcherRobustnessTest {
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    private static final int EIO = 5;

    private final MemFs fs = new MemFs();
    private final Harness h = new Harness(fs).init();

    @Test
    void requestsTooShortToAnswerAreDropped() {
        assertThat(h.raw(new byte[0])).isNull();
        assertThat(h.raw(new byte[10])).isNull();
    }

    @Test
    void aTruncatedHeaderGetsEinvalWithItsUnique() {
        byte[] raw = new Harness.Args().u32(24).u32(Proto.GETATTR).u64(77).u64(1).bytes();
        Harness.Message m = h.raw(raw);
        assertThat(m.error()).isEqualTo(-EINVAL);
        assertThat(m.unique()).isEqualTo(77);
        assertThat(m.length()).isEqualTo(16);
    }

    @Test
    void aLengthThatDisagreesWithTheReadGetsEinval() {
        byte[] raw = new Harness.Args().u32(4096).u32(Proto.GETATTR).u64(78).u64(1).zeros(24).bytes();
        assertThat(h.raw(raw).error()).isEqualTo(-EINVAL);
        byte[] ext = new Harness.Args().u32(48).u32(Proto.LOOKUP).u64(79).u64(1).u32(0).u32(0).u32(0)
                .u32(0xffff << 0).zeros(8).bytes();
        assertThat(h.raw(ext).error()).isEqualTo(-EINVAL);
    }

    @Test
    void unknownAndUnsupportedOpcodesGetEnosys() {
        for (int op : new int[] {999, 7, Proto.ACCESS, Proto.GETLK, Proto.SETLK, Proto.SETLKW, Proto.IOCTL, Proto.POLL,
                Proto.BMAP, Proto.STATX, Proto.TMPFILE, Proto.SYNCFS, Proto.SETUPMAPPING, -5}) {
            assertThat(h.call(op, 1, new byte[16]).error()).as("opcode %d", op).isEqualTo(-ENOSYS);
        }
    }

    @Test
    void requestsBeforeInitGetEinval() {
        Harness fresh = new Harness(new MemFs());
        assertThat(fresh.call(Proto.GETATTR, 1, new byte[16]).error()).isEqualTo(-EINVAL);
        assertThat(fresh.call(Proto.FORGET, 1, new byte[8])).isNull();
    }

    @Test
    void truncatedArgumentsGetEinvalForEveryOpcode() {
        int[] ops = {Proto.LOOKUP, Proto.SETATTR, Proto.SYMLINK, Proto.MKNOD, Proto.MKDIR, Proto.UNLINK, Proto.RMDIR,
            Proto.RENAME, Proto.RENAME2, Proto.LINK, Proto.OPEN, Proto.CREATE, Proto.READ, Proto.WRITE, Proto.RELEASE,
            Proto.FSYNC, Proto.SETXATTR, Proto.GETXATTR, Proto.LISTXATTR, Proto.REMOVEXATTR, Proto.FLUSH,
            Proto.OPENDIR, Proto.READDIR, Proto.READDIRPLUS, Proto.RELEASEDIR, Proto.FSYNCDIR, Proto.FALLOCATE,
            Proto.LSEEK, Proto.COPY_FILE_RANGE, Proto.COPY_FILE_RANGE_64, Proto.INIT};
        for (int op : ops) {
            // Four non-NUL bytes: too short for every fixed struct, and no string terminator.
            Harness.Message m = h.call(op, 1, new byte[] {'a', 'b', 'c', 'd'});
            assertThat(m).as("%s", Proto.opcodeName(op)).isNotNull();
            assertThat(m.error()).as("%s", Proto.opcodeName(op)).isEqualTo(-EINVAL);
        }
    }

    @Test
    void aWriteWhoseSizeExceedsItsDataGetsEinval() {
        byte[] args = new Harness.Args().u64(1).u64(0).u32(1000).u32(0).u64(0).u32(0).u32(0).zeros(10).bytes();
        assertThat(h.call(Proto.WRITE, 1, args).error()).isEqualTo(-EINVAL);
    }

    @Test
    void aReadLargerThanTheReplyBufferGetsEinval() {
        byte[] args = new Harness.Args().u64(1).u64(0).u32(Integer.MAX_VALUE).u32(0).u64(0).u32(0).u32(0).bytes();
        assertThat(h.call(Proto.READ, 1, args).error()).isEqualTo(-EINVAL);
    }

    @Test
    void forgetsNeverGetAReplyEvenWhenMalformed() {
        assertThat(h.call(Proto.FORGET, 1, new byte[3])).isNull();
        assertThat(h.call(Proto.INTERRUPT, 1, new byte[8])).isNull();
        byte[] overstated = new Harness.Args().u32(5).u32(0).u64(1).u64(1).bytes();
        assertThat(h.call(Proto.BATCH_FORGET, 1, overstated)).isNull();
    }

    @Test
    void engineBugsBecomeEio() {
        Harness bad = new Harness(new MemFs() {
            @Override
            public Attr getattr(long ino, long fh) {
                throw new IllegalStateException("bug");
            }

            @Override
            public Attr setattr(Caller c, long ino, dev.strata.core.fs.SetAttr s) {
                throw new AssertionError("worse");
            }

            @Override
            public byte[] readlink(long ino) throws FsException {
                return null; // a null where bytes were promised
            }
        }).init();
        assertThat(bad.call(Proto.GETATTR, 1, new byte[16]).error()).isEqualTo(-EIO);
        assertThat(bad.call(Proto.SETATTR, 1, new byte[88]).error()).isEqualTo(-EIO);
        assertThat(bad.call(Proto.READLINK, 1, new byte[0]).error()).isEqualTo(-EIO);
    }

    @Test
    void randomGarbageNeverThrowsAndGetsAtMostOneReply() {
        Random r = new Random(2024);
        assertThatCode(() -> {
            for (int i = 0; i < 20_000; i++) {
                int op = r.nextInt(60);
                byte[] args = new byte[r.nextInt(200)];
                r.nextBytes(args);
                if (op == Proto.INIT || op == Proto.DESTROY) {
                    continue;
                }
                // Nodes 1..4 exist or not; handles are random: the engine answers errors.
                Harness.Message m = h.call(op, 1 + r.nextInt(4), args);
                if (m != null) {
                    assertThat(m.length()).isEqualTo(16 + m.payload().length);
                    assertThat(m.error()).isLessThanOrEqualTo(0);
                }
            }
        }).doesNotThrowAnyException();
    }
}
