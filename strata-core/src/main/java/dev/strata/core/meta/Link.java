package dev.strata.core.meta;

import dev.strata.core.Name;

/** One name of an inode: the directory it is in and the name there. */
public record Link(long parent, Name name) {}
