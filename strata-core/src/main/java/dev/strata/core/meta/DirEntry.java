package dev.strata.core.meta;

import dev.strata.core.FileType;
import dev.strata.core.Name;

/**
 * One name in a directory.
 *
 * @param cookie the entry's readdir position, unique within its directory and increasing in creation
 *               order; a reader that resumes after cookie c sees every entry that existed throughout
 *               exactly once, however many entries are added or removed meanwhile
 */
public record DirEntry(Name name, long ino, FileType type, long cookie) {
    public DirEntry {
        if (ino <= 0 || cookie < InodeRecord.FIRST_COOKIE) {
            throw new IllegalArgumentException("bad entry " + name + ": ino=" + ino + ", cookie=" + cookie);
        }
    }
}
