package dev.strata.tier.local;

import dev.strata.nativeio.Libc;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file descriptor shared by concurrent calls and closed only when none is running. Without this,
 * close(2) during another thread's pwrite lets the kernel hand the number to the next open, and the
 * late call writes into someone else's file. Lock-free: a call costs two atomic adds.
 */
final class FdGuard {
    /** Set once close was asked for; the low bits count calls in flight. */
    private static final long CLOSED = 1L << 62;

    private final int fd;
    private final AtomicLong state = new AtomicLong();
    private final AtomicBoolean released = new AtomicBoolean();

    FdGuard(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        this.fd = fd;
    }

    /** Marks a call in flight and returns the descriptor; pair with {@link #release()} in finally. */
    int acquire(Object owner) {
        if ((state.incrementAndGet() & CLOSED) != 0) {
            release();
            throw new IllegalStateException(owner + " used after close");
        }
        return fd;
    }

    void release() {
        if (state.decrementAndGet() == CLOSED) {
            closeDescriptor();
        }
    }

    /** The descriptor without marking a call; for callers that promise to stop using it before close. */
    int peek(Object owner) {
        if (isClosed()) {
            throw new IllegalStateException(owner + " used after close");
        }
        return fd;
    }

    /** Closes now, or when the last call in flight ends. Idempotent. */
    void close() {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, s | CLOSED));
        if (s == 0) {
            closeDescriptor();
        }
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    private void closeDescriptor() {
        if (released.compareAndSet(false, true)) {
            Libc.close(fd);
        }
    }
}
