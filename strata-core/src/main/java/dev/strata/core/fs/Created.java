package dev.strata.core.fs;

/** The answer to create: the new entry (one lookup) and its open handle. */
public record Created(Entry entry, Opened opened) {}
