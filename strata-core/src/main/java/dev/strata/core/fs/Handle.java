package dev.strata.core.fs;

/** An open file or directory, the object behind a FUSE file handle number. */
sealed interface Handle {
    Node node();

    record FileHandle(Node node, boolean readable, boolean writable) implements Handle {}

    record DirHandle(Node node) implements Handle {}
}
