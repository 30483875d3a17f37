package dev.strata.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one benchmark run does, parsed from the command line.
 *
 * @param targets     directories to measure, in the order each round visits them; the first is the
 *                    baseline the others are compared with (native)
 * @param fileBytes   size of the sequential-write / cold-read file
 * @param blockBytes  size of each write and read call of the sequential workloads
 * @param threads     metadata threads, each in its own directory
 * @param filesPerThread files each metadata thread creates, stats, reads and unlinks
 * @param smallFileBytes bytes written into and read from each metadata file
 * @param rounds      how often every workload runs on every target
 * @param dropCaches  drop the kernel's page, dentry and inode caches before each cold read (root)
 * @param workloads   which workload groups to run
 */
record Options(
        List<Target> targets,
        long fileBytes,
        int blockBytes,
        int threads,
        int filesPerThread,
        int smallFileBytes,
        int rounds,
        boolean dropCaches,
        Set<Group> workloads) {

    /** A named directory to measure. */
    record Target(String name, Path dir) {}

    /** Workload groups that can be selected with {@code --workloads}. */
    enum Group { SEQ, META }

    static final String USAGE = """
            usage: FsBench --target NAME=DIR [--target NAME=DIR ...] [options]
              The first target is the baseline (native); each round visits the targets in order.
              --size BYTES        sequential file size (suffix k, m, g; default 2g)
              --block BYTES       sequential write/read call size (default 1m)
              --threads N         metadata threads (default 2)
              --files N           metadata files per thread (default 3000)
              --small BYTES       bytes per metadata file (default 4k)
              --rounds N          repetitions of every workload on every target (default 3)
              --drop-caches       sync and drop the kernel caches before each cold read (needs root)
              --workloads LIST    seq,meta (default both)
            """;

    Options {
        targets = List.copyOf(targets);
        workloads = Set.copyOf(workloads);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("at least one --target NAME=DIR is needed");
        }
        if (fileBytes < blockBytes || blockBytes < 4096) {
            throw new IllegalArgumentException("--size (" + fileBytes + ") must be at least --block (" + blockBytes
                    + "), and --block at least 4096");
        }
        if (threads < 1 || filesPerThread < 1 || rounds < 1 || smallFileBytes < 1) {
            throw new IllegalArgumentException("--threads, --files, --small and --rounds must be positive");
        }
    }

    static Options parse(String[] args) {
        List<Target> targets = new ArrayList<>();
        long size = 2L << 30;
        int block = 1 << 20;
        int threads = 2;
        int files = 3000;
        int small = 4096;
        int rounds = 3;
        boolean drop = false;
        Set<Group> groups = new LinkedHashSet<>(List.of(Group.SEQ, Group.META));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--drop-caches" -> drop = true;
                case "--target", "--size", "--block", "--threads", "--files", "--small", "--rounds", "--workloads" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--target" -> targets.add(target(v));
                        case "--size" -> size = bytes(a, v);
                        case "--block" -> block = Math.toIntExact(bytes(a, v));
                        case "--threads" -> threads = Integer.parseInt(v);
                        case "--files" -> files = Integer.parseInt(v);
                        case "--small" -> small = Math.toIntExact(bytes(a, v));
                        case "--rounds" -> rounds = Integer.parseInt(v);
                        case "--workloads" -> groups = groups(v);
                        default -> throw new AssertionError(a);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        return new Options(targets, size, block, threads, files, small, rounds, drop, groups);
    }

    private static Target target(String v) {
        int eq = v.indexOf('=');
        if (eq <= 0 || eq == v.length() - 1) {
            throw new IllegalArgumentException("--target takes NAME=DIR, not '" + v + "'");
        }
        return new Target(v.substring(0, eq), Path.of(v.substring(eq + 1)));
    }

    private static Set<Group> groups(String v) {
        Set<Group> out = new LinkedHashSet<>();
        for (String g : v.split(",")) {
            out.add(Group.valueOf(g.strip().toUpperCase(Locale.ROOT)));
        }
        return out;
    }

    /** Parses "4096", "4k", "1m", "2g" (powers of 1024). */
    static long bytes(String option, String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> { }
            }
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(option + " takes a byte count like 4096, 4k, 1m or 2g, not '" + v + "'");
        }
    }
}
