package dev.strata.nativeio;

import java.io.IOException;

/** A system call failed; carries the call's name and the errno it set. */
public final class ErrnoException extends IOException {
    private final int errno;
    private final String call;

    public ErrnoException(String call, int errno, String detail) {
        super(call + (detail == null ? "" : " " + detail) + ": " + Errnos.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /**
     * No stack trace: these are expected outcomes on hot paths (a statx of a file that does not
     * exist, say), and the message names the call and its argument. Filling a stack trace costs
     * more than the system call.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public int errno() {
        return errno;
    }

    public String call() {
        return call;
    }
}
