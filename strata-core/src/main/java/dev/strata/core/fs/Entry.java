package dev.strata.core.fs;

/**
 * The answer to a name lookup: the inode and its attributes. Every {@code Entry} returned by an
 * operation counts as one kernel lookup of {@code ino}, to be balanced by {@link PosixFileSystem#forget}.
 *
 * @param generation together with {@code ino} unique for the life of the file system
 */
public record Entry(long ino, long generation, Attr attr) {}
