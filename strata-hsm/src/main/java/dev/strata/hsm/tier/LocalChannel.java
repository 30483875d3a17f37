package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.data.LocalFile;
import dev.strata.core.store.Transfers;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** A fast-tier file as the local side of a {@link Transfers} upload or download. */
final class LocalChannel implements Transfers.Channel {
    private final LocalFile file;

    LocalChannel(LocalFile file) {
        this.file = file;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        int want = dst.remaining();
        if (want == 0) {
            return 0;
        }
        try {
            int n = file.read(position, MemorySegment.ofBuffer(dst));
            if (n <= 0) {
                return -1;
            }
            dst.position(dst.position() + n);
            return n;
        } catch (FsException e) {
            throw new IOException("reading inode " + file.ino() + " at " + position + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        int n = src.remaining();
        try {
            file.write(position, MemorySegment.ofBuffer(src));
        } catch (FsException e) {
            throw new IOException("writing inode " + file.ino() + " at " + position + ": " + e.getMessage(), e);
        }
        src.position(src.position() + n);
        return n;
    }

    @Override
    public void truncate(long size) throws IOException {
        try {
            file.truncate(size);
        } catch (FsException e) {
            throw new IOException("truncating inode " + file.ino() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void force() throws IOException {
        try {
            file.sync(true);
        } catch (FsException e) {
            throw new IOException("syncing inode " + file.ino() + ": " + e.getMessage(), e);
        }
    }
}
