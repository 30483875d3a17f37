package dev.strata.fuse;

import dev.strata.core.fs.PosixFileSystem;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Drives a {@link Dispatcher} with hand-built requests and records the replies, without a kernel. */
final class Harness {
    static final Timeout TTL = new Timeout(1, 500);

    final Arena arena = Arena.ofAuto();
    final MemorySegment in = arena.allocate(FuseSession.REQUEST_BUFFER_BYTES, 64);
    final MemorySegment outBuffer = arena.allocate(FuseSession.REPLY_BUFFER_BYTES, 64);
    final List<Message> sent = new ArrayList<>();
    final Dispatcher dispatcher;
    final Conn conn;
    final Request request = new Request(in);
    final Reply reply = new Reply(outBuffer, this::record);
    long nextUnique = 100;

    /** A reply as the kernel would read it. */
    record Message(int length, int error, long unique, byte[] payload) {
        ByteBuffer body() {
            return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    Harness(PosixFileSystem fs) {
        this(fs, TTL, new BackingFiles(new BackingFiles.Registrar() {
            @Override
            public int open(int fd) {
                return -1;
            }

            @Override
            public int close(int id) {
                return 0;
            }
        }));
    }

    Harness(PosixFileSystem fs, Timeout entryTtl, BackingFiles backing) {
        conn = new Conn(fs, entryTtl, TTL, backing);
        dispatcher = new Dispatcher(conn, new InitNegotiation.Wishes(FuseConfig.Toggle.AUTO, FuseConfig.Toggle.AUTO,
                false), new Dispatcher.Lifecycle() {
                    @Override
                    public void initialized(Negotiated n) {
                    }

                    @Override
                    public void initRefused(String reason) {
                    }

                    @Override
                    public void destroyRequested() {
                        fs.destroy();
                    }
                }, false);
    }

    private int record(MemorySegment m) {
        byte[] all = m.toArray(ValueLayout.JAVA_BYTE);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        byte[] payload = new byte[all.length - Proto.OUT_HEADER];
        System.arraycopy(all, Proto.OUT_HEADER, payload, 0, payload.length);
        sent.add(new Message(b.getInt(0), b.getInt(4), b.getLong(8), payload));
        return 0;
    }

    /** Completes INIT as a 7.45 kernel offering everything. */
    Harness init() {
        Args a = new Args().u32(7).u32(45).u32(128 * 1024).u32((int) 0xfffffffbL).u32(0xff).zeros(44);
        Message m = call(Proto.INIT, 0, a.bytes());
        if (m == null || m.error() != 0) {
            throw new AssertionError("INIT failed: " + m);
        }
        return this;
    }

    /** Sends a well-formed request; returns its reply or null if none was sent. */
    Message call(int opcode, long nodeId, byte[] args) {
        byte[] raw = new Args().u32(Proto.IN_HEADER + args.length).u32(opcode).u64(nextUnique++).u64(nodeId)
                .u32(1000).u32(1000).u32(4242).u32(0).bytes(args).bytes();
        return raw(raw);
    }

    /** Feeds raw bytes as one read from /dev/fuse, like a worker does. */
    Message raw(byte[] raw) {
        int before = sent.size();
        MemorySegment.copy(raw, 0, in, ValueLayout.JAVA_BYTE, 0, raw.length);
        try {
            if (request.reset(raw.length)) {
                dispatcher.dispatch(request, reply);
            }
        } catch (MalformedRequest e) {
            dispatcher.rejectMalformed(request, reply, e);
        }
        if (sent.size() > before + 1) {
            throw new AssertionError("more than one reply to one request");
        }
        return sent.size() == before ? null : sent.getLast();
    }

    /** Little-endian argument builder. */
    static final class Args {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Args u32(int v) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
            out.writeBytes(b.array());
            return this;
        }

        Args u64(long v) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
            out.writeBytes(b.array());
            return this;
        }

        Args str(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            return this;
        }

        Args bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Args zeros(int n) {
            out.writeBytes(new byte[n]);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
