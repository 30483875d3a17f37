package dev.strata.fuse;

import dev.strata.core.fs.PosixFileSystem;

/**
 * What every request handler shares for one connection: the engine, the cache timeouts, the
 * passthrough registry and the INIT outcome. Immutable except {@link #negotiated}, which is
 * written once by the INIT handler before the kernel sends any other request.
 */
final class Conn {
    final PosixFileSystem fs;
    final Timeout entryTtl;
    final Timeout attrTtl;
    final BackingFiles backing;
    private volatile Negotiated negotiated;

    Conn(PosixFileSystem fs, Timeout entryTtl, Timeout attrTtl, BackingFiles backing) {
        this.fs = fs;
        this.entryTtl = entryTtl;
        this.attrTtl = attrTtl;
        this.backing = backing;
    }

    Negotiated negotiated() {
        return negotiated;
    }

    void negotiated(Negotiated n) {
        negotiated = n;
    }

    boolean passthrough() {
        Negotiated n = negotiated;
        return n != null && n.passthrough();
    }

    boolean writeback() {
        Negotiated n = negotiated;
        return n != null && n.writeback();
    }

    boolean setxattrExt() {
        Negotiated n = negotiated;
        return n != null && n.setxattrExt();
    }
}
