package dev.strata.core.fs;

/** statfs(2) figures; block counts are in units of {@code fragmentSize}. */
public record StatFs(
        long blocks,
        long freeBlocks,
        long availableBlocks,
        long files,
        long freeFiles,
        int blockSize,
        int fragmentSize,
        int maxNameLength) {}
