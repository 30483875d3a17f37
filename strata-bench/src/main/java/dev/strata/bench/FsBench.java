package dev.strata.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * File-system-level benchmark: runs the same workloads, with the same code, on several directories
 * (a native one first, then Strata mounts) and reports each figure and its ratio to the first.
 *
 * <p>Each round runs every workload on every target before the next workload starts
 * (write native, write mount, read native, read mount, metadata native, metadata mount), so noise
 * on a shared machine lands on both sides of a ratio; the order of the targets rotates from round
 * to round. The cold read drops the kernel caches first
 * when {@code --drop-caches} is given. Files are deleted after use; a target is left as it was.
 *
 * <p>Usage: see {@link Options#USAGE}. {@code bench/run} wraps it: build, mount, run, unmount.
 */
public final class FsBench {
    /** Files per thread of the untimed warm-up pass. */
    static final int WARM_UP_FILES = 300;

    private final Options options;
    private final CacheDropper dropper;
    private final PrintStream out;

    FsBench(Options options, CacheDropper dropper, PrintStream out) {
        this.options = options;
        this.dropper = dropper;
        this.out = out;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fsbench: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        try {
            new FsBench(options, options.dropCaches() ? CacheDropper.kernel() : CacheDropper.NONE, System.out).run();
        } catch (IOException e) {
            System.err.println("fsbench: " + e.getMessage());
            System.exit(1);
        }
    }

    void run() throws IOException {
        for (Options.Target t : options.targets()) {
            if (!Files.isDirectory(t.dir())) {
                throw new IOException("target " + t.name() + ": " + t.dir() + " is not a directory");
            }
        }
        out.printf(Locale.ROOT, "config targets=%s size=%d block=%d threads=%d files=%d small=%d rounds=%d"
                + " drop-caches=%b%n", options.targets().stream().map(t -> t.name() + "=" + t.dir()).toList(),
                options.fileBytes(), options.blockBytes(), options.threads(), options.filesPerThread(),
                options.smallFileBytes(), options.rounds(), options.dropCaches());
        Report report = new Report(out, options.targets().stream().map(Options.Target::name).toList());
        SequentialIo seq = new SequentialIo(options.blockBytes());
        try (MetadataRun md = new MetadataRun(options.threads(), options.filesPerThread(), options.smallFileBytes())) {
            if (options.workloads().contains(Options.Group.META)) {
                warmUp();
            }
            for (int round = 1; round <= options.rounds(); round++) {
                if (options.workloads().contains(Options.Group.SEQ)) {
                    sequential(round, seq, report);
                }
                if (options.workloads().contains(Options.Group.META)) {
                    metadata(round, md, report);
                }
            }
        }
        report.finish();
    }

    /**
     * An untimed, short metadata pass on every target, so that the first timed round does not pay
     * for the JIT compiling the workload code (which would bias the target that happens to go first).
     */
    private void warmUp() throws IOException {
        int files = Math.min(options.filesPerThread(), WARM_UP_FILES);
        try (MetadataRun md = new MetadataRun(options.threads(), files, options.smallFileBytes())) {
            for (Options.Target t : options.targets()) {
                Path base = t.dir().resolve("fsbench-warmup-" + ProcessHandle.current().pid());
                guarded(t, "warm-up", () -> md.run(base));
            }
        }
    }

    /**
     * The targets in the order round {@code round} visits them: rotated by one each round, so that
     * no target always goes first (right after another workload) or always follows the same one.
     */
    List<Options.Target> order(int round) {
        List<Options.Target> all = options.targets();
        int shift = (round - 1) % all.size();
        List<Options.Target> out = new java.util.ArrayList<>(all.subList(shift, all.size()));
        out.addAll(all.subList(0, shift));
        return out;
    }

    private void sequential(int round, SequentialIo seq, Report report) throws IOException {
        long size = options.fileBytes();
        double mib = size / (double) (1 << 20);
        List<Options.Target> targets = order(round);
        for (Options.Target t : targets) {
            Path f = file(t);
            double s = guarded(t, "seq-write", () -> seq.write(f, size));
            report.sample(round, t.name(), Workload.SEQ_WRITE, mib / s, detail(s));
        }
        try {
            for (Options.Target t : targets) {
                boolean cold = dropper.drop();
                Path f = file(t);
                double s = guarded(t, "cold-read", () -> seq.read(f, size));
                report.sample(round, t.name(), Workload.COLD_READ, mib / s, detail(s) + (cold ? "" : " warm=true"));
            }
        } finally {
            for (Options.Target t : targets) {
                Files.deleteIfExists(file(t));
            }
        }
    }

    private void metadata(int round, MetadataRun md, Report report) throws IOException {
        for (Options.Target t : order(round)) {
            Path base = t.dir().resolve("fsbench-md-" + ProcessHandle.current().pid() + "-" + round);
            Map<Workload, Double> r = guarded(t, "metadata", () -> md.run(base));
            for (Map.Entry<Workload, Double> e : r.entrySet()) {
                report.sample(round, t.name(), e.getKey(), e.getValue(), "");
            }
        }
    }

    private static Path file(Options.Target t) {
        return t.dir().resolve("fsbench-seq-" + ProcessHandle.current().pid());
    }

    private static String detail(double seconds) {
        return String.format(Locale.ROOT, "seconds=%.3f", seconds);
    }

    private interface Step<T> {
        T run() throws IOException;
    }

    /** Names the target and workload in any failure: a failure on the mount is itself a finding. */
    private static <T> T guarded(Options.Target t, String workload, Step<T> step) throws IOException {
        try {
            return step.run();
        } catch (IOException e) {
            throw new IOException(workload + " on " + t.name() + " (" + t.dir() + ") failed: " + e, e);
        }
    }
}
