package dev.strata.it.crash;

import dev.strata.it.diff.PosixCalls;
import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The crash test's workload, run as its own process so that it meets the kill of the server the way
 * an application does: through failing system calls. Arguments are {@code key=value}:
 * <pre>
 *   mount=DIR  round=N  log=FILE  seed=S  threads=N  mode=mixed|unlink  maxMillis=MS
 *   bulkFiles=N (files created in rN/bulk before the threads start)  burstFiles=N (unlink mode, per thread)
 * </pre>
 * It works in {@code rN/} under the mount, prints {@code READY} when its threads start,
 * {@code BURST} / {@code BURST-END} around the unlink burst, and {@code DONE ...} with its figures
 * at the end. Exit 0 when every thread stopped (on an error or at the deadline); 3 when a read
 * disagreed with what was written while the server was alive; 2 on bad arguments.
 */
public final class CrashWorkload {
    static final int BULK_DIRECTORIES = 20;
    static final long BARRIER_TIMEOUT_SECONDS = 60;

    private CrashWorkload() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                System.err.println("argument without '=': " + arg);
                System.exit(2);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Path mount = Path.of(a.get("mount"));
        int round = Integer.parseInt(a.get("round"));
        long seed = Long.parseLong(a.get("seed"));
        int threads = Integer.parseInt(a.get("threads"));
        boolean unlinkMode = a.getOrDefault("mode", "mixed").equals("unlink");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a.get("maxMillis")));
        int bulkFiles = Integer.parseInt(a.getOrDefault("bulkFiles", "0"));
        int burstFiles = Integer.parseInt(a.getOrDefault("burstFiles", "200"));
        int code;
        try (AckLog log = new AckLog(Path.of(a.get("log")))) {
            code = run(mount, "r" + round, log, seed, threads, unlinkMode, deadline, bulkFiles, burstFiles);
        }
        System.out.flush();
        System.exit(code);
    }

    private static int run(Path mount, String roundDir, AckLog log, long seed, int threads, boolean unlinkMode,
            long deadline, int bulkFiles, int burstFiles) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> top = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            top.add("t" + t);
        }
        if (bulkFiles > 0) {
            top.add("bulk");
        }
        try {
            mkdir(mount, log, roundDir);
            for (String d : top) {
                mkdir(mount, log, roundDir + "/" + d);
            }
            ackDir(mount, log, roundDir, top);
            ackDir(mount, log, ".", rootNames(mount));
            if (bulkFiles > 0) {
                bulk(mount, log, roundDir + "/bulk", bulkFiles, threads, rnd.nextLong());
            }
        } catch (IOException e) {
            System.out.println("DONE before the threads started: " + e.getMessage());
            return 0;
        }
        WorkloadThread.Burst burst = unlinkMode
                ? new WorkloadThread.Burst(burstFiles, new CyclicBarrier(threads + 1), new CountDownLatch(threads))
                : null;
        List<WorkloadThread> workers = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            WorkloadThread w = new WorkloadThread(mount, roundDir + "/t" + t, log, rnd.nextLong(), deadline, burst);
            workers.add(w);
            running.add(Thread.ofPlatform().name("workload-" + t).start(w));
        }
        System.out.println("READY");
        System.out.flush();
        if (burst != null) {
            awaitBurst(burst, running);
        }
        for (Thread t : running) {
            t.join();
        }
        return report(workers);
    }

    private static void awaitBurst(WorkloadThread.Burst burst, List<Thread> running) throws InterruptedException {
        try {
            burst.start().await(BARRIER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.out.println("BURST never started: " + e);
            return;
        }
        System.out.println("BURST");
        System.out.flush();
        while (!burst.end().await(20, TimeUnit.MILLISECONDS)) {
            if (running.stream().noneMatch(Thread::isAlive)) {
                return;
            }
        }
        System.out.println("BURST-END");
        System.out.flush();
    }

    private static int report(List<WorkloadThread> workers) {
        long ops = 0;
        long bytes = 0;
        long syncs = 0;
        long dirSyncs = 0;
        long acks = 0;
        StringJoiner stops = new StringJoiner("; ");
        String mismatch = null;
        for (WorkloadThread w : workers) {
            ops += w.stats.ops;
            bytes += w.stats.bytesWritten;
            syncs += w.stats.syncs;
            dirSyncs += w.stats.dirSyncs;
            acks += w.stats.acks;
            stops.add(w.stoppedBy);
            if (w.mismatch != null) {
                mismatch = w.mismatch;
            }
        }
        System.out.println("DONE ops=" + ops + " bytes=" + bytes + " syncs=" + syncs + " dirSyncs=" + dirSyncs
                + " acks=" + acks + " stopped=[" + stops + "]");
        if (mismatch != null) {
            System.out.println("MISMATCH " + mismatch);
            return 3;
        }
        return 0;
    }

    /**
     * Many small files spread over {@link #BULK_DIRECTORIES} directories, written by {@code threads}
     * threads: the namespace whose size restart time must not depend on. Names are acknowledged by
     * directory fsyncs; contents are not (no file fsync), which the verifier allows for.
     */
    private static void bulk(Path mount, AckLog log, String dir, int files, int threads, long seed) throws Exception {
        List<String> subdirs = new ArrayList<>();
        for (int d = 0; d < BULK_DIRECTORIES; d++) {
            subdirs.add(String.format("d%02d", d));
            mkdir(mount, log, dir + "/" + subdirs.get(d));
        }
        ackDir(mount, log, dir, subdirs);
        List<Thread> ts = new ArrayList<>();
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            int first = t;
            SplittableRandom r = new SplittableRandom(seed + t);
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int d = first; d < BULK_DIRECTORIES; d += threads) {
                        bulkDirectory(mount, log, dir + "/" + subdirs.get(d), files / BULK_DIRECTORIES, r);
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    private static void bulkDirectory(Path mount, AckLog log, String dir, int files, SplittableRandom r)
            throws IOException {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            String name = "b" + i;
            String path = dir + "/" + name;
            String id = path.replace('/', '.');
            log.line("C " + id + " " + path);
            int fd = PosixCalls.open(mount.resolve(path), Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC,
                    0644);
            check(fd, "create " + path);
            try {
                check(PosixCalls.setxattr(mount.resolve(path), WorkloadThread.ID_XATTR,
                        id.getBytes(StandardCharsets.UTF_8), 0), "setxattr " + path);
                long seed = r.nextLong();
                int len = r.nextInt(4097);
                log.line("W " + id + " 0 " + len + " " + seed);
                check(PosixCalls.pwrite(fd, FileImage.block(seed, len), 0), "pwrite " + path);
            } finally {
                PosixCalls.close(fd);
            }
            entries.add(name + ":" + id);
        }
        check(PosixCalls.fsyncDirectory(mount.resolve(dir)), "fsync " + dir);
        log.line("D " + dir + " " + (entries.isEmpty() ? "-" : String.join(",", entries)));
    }

    private static void mkdir(Path mount, AckLog log, String path) throws IOException {
        log.line("K " + path);
        check(PosixCalls.mkdir(mount.resolve(path), 0755), "mkdir " + path);
    }

    /** Fsyncs a directory that holds only the subdirectories {@code names}, and acknowledges it. */
    private static void ackDir(Path mount, AckLog log, String dir, List<String> names) throws IOException {
        check(PosixCalls.fsyncDirectory(mount.resolve(dir)), "fsync " + dir);
        StringJoiner j = new StringJoiner(",");
        names.forEach(n -> j.add(n + ":/"));
        log.line("D " + dir + " " + (j.length() == 0 ? "-" : j.toString()));
    }

    private static List<String> rootNames(Path mount) throws IOException {
        try (Stream<Path> s = Files.list(mount)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void check(long r, String what) throws IOException {
        if (r < 0) {
            throw new IOException(what + ": " + PosixCalls.errnoName((int) -r));
        }
    }
}
