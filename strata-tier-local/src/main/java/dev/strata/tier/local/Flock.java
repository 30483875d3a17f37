package dev.strata.tier.local;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;
import dev.strata.nativeio.Libc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** flock(2), which strata-native does not bind: the data root's lock. */
final class Flock {
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final MethodHandle FLOCK =
            Libc.bind("flock", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Flock() {}

    /**
     * Takes an exclusive lock on the open file description without waiting; false if another one
     * holds it. The lock goes with the descriptor's close, also when the process dies.
     */
    static boolean tryLockExclusive(int fd) throws ErrnoException {
        MemorySegment capture = Libc.captureSegment();
        try {
            while (true) {
                int r = (int) FLOCK.invokeExact(capture, fd, LOCK_EX | LOCK_NB);
                if (r == 0) {
                    return true;
                }
                int errno = Libc.errno(capture);
                if (errno == Errnos.EAGAIN) {
                    return false;
                }
                if (errno != Errnos.EINTR) {
                    throw new ErrnoException("flock", errno, "fd " + fd);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
