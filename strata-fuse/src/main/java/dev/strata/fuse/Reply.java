package dev.strata.fuse;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The answer to one request, built in a worker's output buffer: a fuse_out_header followed by the
 * payload, sent as one message. Reused for every request of that worker.
 *
 * <p>Exactly one of {@link #ok}, {@link #error} or {@link #none} is called per request; the
 * dispatcher checks that and answers EIO if a handler forgot.
 */
final class Reply {
    private final MemorySegment buffer;
    private final MemorySegment payload;
    private final ReplySink sink;
    private long unique;
    private boolean answered;
    private int lastSendResult;

    Reply(MemorySegment buffer, ReplySink sink) {
        if (buffer.byteSize() <= Proto.OUT_HEADER) {
            throw new IllegalArgumentException("reply buffer too small: " + buffer.byteSize());
        }
        this.buffer = buffer;
        this.payload = buffer.asSlice(Proto.OUT_HEADER);
        this.sink = sink;
    }

    void start(long unique) {
        this.unique = unique;
        this.answered = false;
        this.lastSendResult = 0;
    }

    /** Where the payload goes; its size is the largest payload this reply can carry. */
    MemorySegment payload() {
        return payload;
    }

    long capacity() {
        return payload.byteSize();
    }

    boolean answered() {
        return answered;
    }

    /** The result of the last send: 0 or -errno. */
    int lastSendResult() {
        return lastSendResult;
    }

    /** Sends the first {@code payloadBytes} of the payload with error 0. */
    int ok(long payloadBytes) {
        if (payloadBytes < 0 || payloadBytes > payload.byteSize()) {
            throw new IllegalArgumentException("payload of " + payloadBytes + " bytes, capacity " + payload.byteSize());
        }
        return send(0, payloadBytes);
    }

    /** Sends an error reply; {@code errno} is positive. */
    int error(int errno) {
        if (errno <= 0) {
            throw new IllegalArgumentException("errno must be positive: " + errno);
        }
        return send(-errno, 0);
    }

    /** Marks a request that takes no reply (FORGET, BATCH_FORGET, INTERRUPT). */
    void none() {
        answered = true;
    }

    private int send(int error, long payloadBytes) {
        if (answered) {
            throw new IllegalStateException("request " + unique + " answered twice");
        }
        answered = true;
        long total = Proto.OUT_HEADER + payloadBytes;
        buffer.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int) total);
        buffer.set(ValueLayout.JAVA_INT_UNALIGNED, 4, error);
        buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, unique);
        lastSendResult = sink.send(buffer.asSlice(0, total));
        return lastSendResult;
    }
}
