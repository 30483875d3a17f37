package dev.strata.fuse;

import java.io.IOException;

/** Mounting or unmounting failed; the message is one line a user can act on. */
public final class MountException extends IOException {
    public MountException(String message) {
        super(message);
    }
}
