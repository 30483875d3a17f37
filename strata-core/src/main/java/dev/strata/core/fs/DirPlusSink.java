package dev.strata.core.fs;

/** Receives readdirplus entries with full attributes until its buffer is full. */
public interface DirPlusSink {
    /**
     * Offers one entry. When it is taken ({@code true}) and {@code entry} is not null, the kernel
     * counts it as one lookup of the entry's inode. "." and ".." are offered with a null entry.
     *
     * @return false if the entry did not fit; it was not taken and the listing stops here
     */
    boolean add(byte[] name, Entry entry, int direntType, long ino, long nextOffset);
}
