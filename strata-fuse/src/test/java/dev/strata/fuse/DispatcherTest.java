package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.Caller;
import dev.strata.core.Name;
import dev.strata.core.fs.Created;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Requests decoded into engine calls and answers encoded back, without a kernel. */
class DispatcherTest {
    private final MemFs fs = new MemFs();
    private final Harness h = new Harness(fs).init();

    @Test
    void lookupHitMissAndNegativeEntries() throws Exception {
        fs.mkdir(Caller.ROOT, 1, Name.of("d"), 0755, 0);
        Harness.Message hit = h.call(Proto.LOOKUP, 1, new Harness.Args().str("d").bytes());
        assertThat(hit.error()).isZero();
        assertThat(hit.body().getLong(0)).isEqualTo(2);
        assertThat(hit.body().getInt(40 + 60) & 0170000).isEqualTo(0040000);
        Harness.Message miss = h.call(Proto.LOOKUP, 1, new Harness.Args().str("nope").bytes());
        assertThat(miss.error()).as("a cached miss, not an error").isZero();
        assertThat(miss.body().getLong(0)).isZero();
        assertThat(miss.body().getLong(16)).isEqualTo(Harness.TTL.seconds());
        Harness noNegative = new Harness(new MemFs(), Timeout.ZERO, new BackingFiles(null)).init();
        assertThat(noNegative.call(Proto.LOOKUP, 1, new Harness.Args().str("nope").bytes()).error()).isEqualTo(-2);
    }

    @Test
    void writeAndReadMoveTheBytes() throws Exception {
        Created c = fs.create(Caller.ROOT, 1, Name.of("f"), 0644, 0, 2);
        long ino = c.entry().ino();
        long fh = c.opened().fh();
        byte[] data = "hello fuse".getBytes(StandardCharsets.UTF_8);
        byte[] write = new Harness.Args().u64(fh).u64(3).u32(data.length).u32(Proto.WRITE_KILL_SUIDGID).u64(0).u32(0)
                .u32(0).bytes(data).bytes();
        Harness.Message w = h.call(Proto.WRITE, ino, write);
        assertThat(w.payload()).hasSize(8);
        assertThat(w.body().getInt(0)).isEqualTo(data.length);
        byte[] read = new Harness.Args().u64(fh).u64(0).u32(100).u32(0).u64(0).u32(0).u32(0).bytes();
        Harness.Message r = h.call(Proto.READ, ino, read);
        assertThat(r.payload()).hasSize(13);
        assertThat(new String(r.payload(), 3, 10, StandardCharsets.UTF_8)).isEqualTo("hello fuse");
        assertThat(r.payload()[0]).isZero();
    }

    @Test
    void readdirplusPacksEntriesAndCountsOnlyWhatFits() throws Exception {
        for (int i = 0; i < 100; i++) {
            fs.create(Caller.ROOT, 1, Name.of("entry-" + i), 0644, 0, 2);
        }
        int before = fs.inodeCount();
        byte[] args = new Harness.Args().u64(1).u64(0).u32(4096).u32(0).u64(0).u32(0).u32(0).bytes();
        Harness.Message m = h.call(Proto.READDIRPLUS, 1, args);
        assertThat(m.error()).isZero();
        ByteBuffer b = m.body();
        int at = 0;
        int entries = 0;
        long lastOffset = 0;
        while (at < m.payload().length) {
            int namelen = b.getInt(at + 128 + 16);
            lastOffset = b.getLong(at + 128 + 8);
            at += DirPacker.direntPlusSize(namelen);
            entries++;
        }
        assertThat(at).isEqualTo(m.payload().length);
        assertThat(entries).isEqualTo(4096 / DirPacker.direntPlusSize("entry-10".length()));
        assertThat(lastOffset).isEqualTo(entries);
        // Continue from the last offset.
        byte[] next = new Harness.Args().u64(1).u64(lastOffset).u32(4096).u32(0).u64(0).u32(0).u32(0).bytes();
        assertThat(h.call(Proto.READDIRPLUS, 1, next).payload()).isNotEmpty();
        assertThat(fs.inodeCount()).isEqualTo(before);
    }

    @Test
    void destroyReachesTheEngine() {
        assertThat(h.call(Proto.DESTROY, 0, new byte[0]).error()).isZero();
        assertThat(fs.destroyed).isTrue();
    }

    @Test
    void renameFlagsAndLinkArePassed() throws Exception {
        fs.create(Caller.ROOT, 1, Name.of("a"), 0644, 0, 2);
        fs.create(Caller.ROOT, 1, Name.of("b"), 0644, 0, 2);
        byte[] noreplace = new Harness.Args().u64(1).u32(1).u32(0).str("a").str("b").bytes();
        assertThat(h.call(Proto.RENAME2, 1, noreplace).error()).isEqualTo(-17);
        byte[] plain = new Harness.Args().u64(1).str("a").str("c").bytes();
        assertThat(h.call(Proto.RENAME, 1, plain).error()).isZero();
        long c = fs.lookup(Caller.ROOT, 1, Name.of("c")).ino();
        Harness.Message link = h.call(Proto.LINK, 1, new Harness.Args().u64(c).str("d").bytes());
        assertThat(link.body().getLong(0)).isEqualTo(c);
        assertThat(link.body().getInt(40 + 64)).as("nlink").isEqualTo(2);
    }
}
