package dev.strata.core.fs;

import dev.strata.core.FileType;

/** Receives readdir entries until its buffer is full. */
public interface DirSink {
    /**
     * Offers one entry. {@code nextOffset} is the offset a later readdir passes to continue after it.
     *
     * @param name raw name bytes (including "." and "..")
     * @return false if the entry did not fit; it was not taken and the listing stops here
     */
    boolean add(byte[] name, long ino, FileType type, long nextOffset);
}
