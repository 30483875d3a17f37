package dev.strata.it.crash;

import dev.strata.it.diff.PosixCalls;
import dev.strata.nativeio.Libc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * One workload thread: it owns the directory {@code base} (with subdirectories {@code a} and
 * {@code b}) and everything in it, so its model of that namespace and of each file's content is
 * exact while the server lives. It creates files, writes seeded blocks at random offsets (appends,
 * overwrites, holes), truncates, fsyncs or fdatasyncs, renames (also over other files), links and
 * unlinks (also files it still has open), fsyncs the directories, and journals each step in the
 * {@link AckLog}. The first failed call ends the thread: after a kill of the server every call on the
 * mount fails, and stopping there is the clean end. A read that disagrees with the model while the
 * server lives is a bug, reported through {@link #mismatch}.
 */
final class WorkloadThread implements Runnable {
    static final String ID_XATTR = "user.crash.id";
    /** Open files a thread keeps at most (beyond the burst of the unlink mode). */
    static final int MAX_OPEN = 3;
    /** Files a thread keeps at most; beyond it, it unlinks more than it creates. */
    static final int MAX_FILES = 40;

    private final Path mount;
    private final String base;
    private final AckLog log;
    private final SplittableRandom rnd;
    private final long deadlineNanos;
    private final Burst burst;
    private final Map<String, FileImage> images = new HashMap<>();
    private final Map<String, Integer> links = new HashMap<>();
    private final Map<String, Map<String, String>> dirs = new LinkedHashMap<>();
    private final Map<String, Integer> openFds = new LinkedHashMap<>();
    private int nextName;
    volatile String stoppedBy;
    volatile String mismatch;
    final Stats stats = new Stats();

    /** Counters for the report. */
    static final class Stats {
        long ops;
        long bytesWritten;
        long syncs;
        long dirSyncs;
        long acks;
    }

    /** The coordinated unlink burst: its files per thread, and the barrier that starts it everywhere at once. */
    record Burst(int filesPerThread, java.util.concurrent.CyclicBarrier start, java.util.concurrent.CountDownLatch end) {}

    WorkloadThread(Path mount, String base, AckLog log, long seed, long deadlineNanos, Burst burst) {
        this.mount = mount;
        this.base = base;
        this.log = log;
        this.rnd = new SplittableRandom(seed);
        this.deadlineNanos = deadlineNanos;
        this.burst = burst;
    }

    @Override
    public void run() {
        try {
            setUp();
            if (burst != null) {
                unlinkBurst();
            }
            while (System.nanoTime() < deadlineNanos && mismatch == null) {
                step();
                stats.ops++;
            }
            stoppedBy = "deadline";
        } catch (Stop s) {
            stoppedBy = s.getMessage();
        } finally {
            for (int fd : openFds.values()) {
                PosixCalls.close(fd); // after a kill this fails with ENOTCONN; the descriptor goes anyway
            }
        }
    }

    private void setUp() throws Stop {
        dirs.put(base, new LinkedHashMap<>());
        for (String d : List.of("a", "b")) {
            String path = base + "/" + d;
            log.line("K " + path);
            check(PosixCalls.mkdir(mount.resolve(path), 0755), "mkdir " + path);
            dirs.get(base).put(d, "/");
            dirs.put(path, new LinkedHashMap<>());
            syncDir(path);
        }
        syncDir(base);
    }

    private void step() throws Stop {
        double r = rnd.nextDouble();
        int fileCount = images.size();
        if (fileCount < 2 || (r < 0.15 && fileCount < MAX_FILES)) {
            create(pickDir());
            writeBurst(lastCreated);
        } else if (r < 0.55) {
            writeBurst(pickFile());
        } else if (r < 0.65) {
            rename();
        } else if (r < 0.71) {
            link();
        } else if (r < 0.83 || fileCount >= MAX_FILES) {
            unlink();
        } else if (r < 0.93) {
            closeOne();
        } else {
            verifyOne();
        }
    }

    private String lastCreated;

    private void create(String dir) throws Stop {
        String id = base.replace('/', '.') + ".f" + nextName;
        String name = "f" + nextName++;
        String path = dir + "/" + name;
        log.line("C " + id + " " + path);
        int fd = PosixCalls.open(mount.resolve(path), Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0644);
        check(fd, "create " + path);
        images.put(id, new FileImage());
        links.put(id, 1);
        dirs.get(dir).put(name, id);
        openFds.put(id, fd);
        check(PosixCalls.setxattr(mount.resolve(path), ID_XATTR, id.getBytes(StandardCharsets.UTF_8), 0),
                "setxattr " + path);
        lastCreated = id;
        trimOpen(id);
    }

    /** Up to six writes or truncates, then an fsync, an fdatasync, or nothing. */
    private void writeBurst(String id) throws Stop {
        if (id == null) {
            return;
        }
        Integer fd = ensureOpen(id);
        if (fd == null) {
            return;
        }
        FileImage img = images.get(id);
        int n = 1 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < 0.1) {
                int size = rnd.nextInt(Math.min(FileImage.MAX_BYTES, img.size() + 16 * 1024) + 1);
                log.line("T " + id + " " + size);
                check(PosixCalls.ftruncate(fd, size), "ftruncate " + id);
                img.truncate(size);
            } else {
                int len = writeLength();
                long offset = writeOffset(img.size(), len);
                long seed = rnd.nextLong();
                byte[] data = FileImage.block(seed, len);
                log.line("W " + id + " " + offset + " " + len + " " + seed);
                long w = PosixCalls.pwrite(fd, data, offset);
                if (w != len) {
                    throw new Stop("pwrite " + id + ": " + (w < 0 ? PosixCalls.errnoName((int) -w) : "short " + w));
                }
                img.write(offset, data);
                stats.bytesWritten += len;
            }
        }
        double s = rnd.nextDouble();
        if (s < 0.7) {
            boolean dataOnly = s < 0.35;
            check(PosixCalls.fsync(fd, dataOnly), (dataOnly ? "fdatasync " : "fsync ") + id);
            stats.syncs++;
            ack("S " + id + " " + img.size() + " " + img.crc());
        }
    }

    private int writeLength() {
        double d = rnd.nextDouble();
        if (d < 0.5) {
            return 1 + rnd.nextInt(512);
        }
        if (d < 0.8) {
            return 512 + rnd.nextInt(16 * 1024);
        }
        return 16 * 1024 + rnd.nextInt(48 * 1024);
    }

    private long writeOffset(int size, int len) {
        int max = FileImage.MAX_BYTES - len;
        double d = rnd.nextDouble();
        long off;
        if (d < 0.4) {
            off = size; // append
        } else if (d < 0.7 && size > 0) {
            off = rnd.nextInt(size); // overwrite inside
        } else if (d < 0.85) {
            off = size + rnd.nextInt(32 * 1024); // leave a hole
        } else {
            off = (long) rnd.nextInt(FileImage.MAX_BYTES / 4096) * 4096; // page-aligned anywhere
        }
        return Math.min(off, max);
    }

    private void rename() throws Stop {
        String[] src = pickName();
        if (src == null) {
            return;
        }
        String id = dirs.get(src[0]).get(src[1]);
        String toDir = pickDir();
        String toName;
        String victim = null;
        List<String> others = new ArrayList<>();
        dirs.get(toDir).forEach((n, i) -> {
            if (!i.equals("/") && !i.equals(id)) {
                others.add(n);
            }
        });
        if (!others.isEmpty() && rnd.nextDouble() < 0.4) {
            toName = others.get(rnd.nextInt(others.size())); // over an existing file
            victim = dirs.get(toDir).get(toName);
        } else {
            toName = "f" + nextName++;
        }
        String from = src[0] + "/" + src[1];
        String to = toDir + "/" + toName;
        log.line("R " + id + " " + from + " " + to);
        check(PosixCalls.rename(mount.resolve(from), mount.resolve(to), 0), "rename " + from + " " + to);
        dirs.get(src[0]).remove(src[1]);
        dirs.get(toDir).put(toName, id);
        if (victim != null) {
            dropLink(victim);
        }
        syncDir(src[0]);
        if (!toDir.equals(src[0])) {
            syncDir(toDir);
        }
    }

    private void link() throws Stop {
        String[] src = pickName();
        if (src == null) {
            return;
        }
        String id = dirs.get(src[0]).get(src[1]);
        String toDir = pickDir();
        String toName = "f" + nextName++;
        String from = src[0] + "/" + src[1];
        String to = toDir + "/" + toName;
        log.line("L " + id + " " + from + " " + to);
        check(PosixCalls.link(mount.resolve(from), mount.resolve(to)), "link " + from + " " + to);
        dirs.get(toDir).put(toName, id);
        links.merge(id, 1, Integer::sum);
        syncDir(toDir);
    }

    private void unlink() throws Stop {
        String[] src = pickName();
        if (src == null) {
            return;
        }
        String id = dirs.get(src[0]).get(src[1]);
        String path = src[0] + "/" + src[1];
        log.line("U " + id + " " + path);
        check(PosixCalls.unlink(mount.resolve(path)), "unlink " + path);
        dirs.get(src[0]).remove(src[1]);
        dropLink(id);
        syncDir(src[0]);
    }

    /** One name of {@code id} is gone; without names and handles the file is gone for good. */
    private void dropLink(String id) {
        int left = links.merge(id, -1, Integer::sum);
        if (left == 0 && !openFds.containsKey(id)) {
            images.remove(id);
            links.remove(id);
        }
    }

    private void closeOne() throws Stop {
        if (openFds.isEmpty()) {
            return;
        }
        String id = openFds.keySet().iterator().next();
        closeFile(id);
    }

    private void closeFile(String id) throws Stop {
        int fd = openFds.remove(id);
        check(PosixCalls.close(fd), "close " + id);
        if (links.getOrDefault(id, 0) == 0) {
            images.remove(id);
            links.remove(id);
        }
    }

    /** Reads a file back through an open handle and compares it with the model. */
    private void verifyOne() throws Stop {
        String id = pickFile();
        Integer fd = id == null ? null : ensureOpen(id);
        if (fd == null) {
            return;
        }
        FileImage img = images.get(id);
        PosixCalls.Result<byte[]> r = PosixCalls.pread(fd, 0, img.size() + 1);
        if (!r.ok()) {
            throw new Stop("pread " + id + ": " + PosixCalls.errnoName(r.errno()));
        }
        if (!Arrays.equals(r.value(), img.content())) {
            mismatch = "live read of " + id + " differs from what was written: " + r.value().length + " bytes read, "
                    + img.size() + " expected, first difference at " + Arrays.mismatch(r.value(), img.content());
        }
    }

    /** The unlink mode: many files, all opened, then all unlinked while open, then written and closed. */
    private void unlinkBurst() throws Stop {
        String dir = base + "/a";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < burst.filesPerThread(); i++) {
            create(dir);
            String id = lastCreated;
            long seed = rnd.nextLong();
            byte[] data = FileImage.block(seed, 1 + rnd.nextInt(8192));
            log.line("W " + id + " 0 " + data.length + " " + seed);
            check(PosixCalls.pwrite(openFds.get(id), data, 0) == data.length ? 0 : -5, "pwrite " + id);
            images.get(id).write(0, data);
            closeFile(id);
            ids.add(id);
        }
        syncDir(dir);
        Map<String, Integer> held = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String path = dir + "/" + nameOf(dir, id);
            int flags = (i % 2 == 0 ? Libc.O_RDWR : Libc.O_RDONLY) | Libc.O_CLOEXEC;
            int fd = PosixCalls.open(mount.resolve(path), flags, 0);
            check(fd, "open " + path);
            held.put(id, fd);
        }
        try {
            burst.start().await();
        } catch (Exception e) {
            throw new Stop("burst barrier: " + e);
        }
        int unlinked = 0;
        for (String id : ids) {
            String name = nameOf(dir, id);
            log.line("U " + id + " " + dir + "/" + name);
            check(PosixCalls.unlink(mount.resolve(dir + "/" + name)), "unlink " + dir + "/" + name);
            dirs.get(dir).remove(name);
            links.put(id, 0);
            if (++unlinked % 50 == 0) {
                syncDir(dir);
            }
        }
        syncDir(dir);
        int i = 0;
        for (Map.Entry<String, Integer> e : held.entrySet()) {
            if (i++ % 2 == 0) {
                check(PosixCalls.pwrite(e.getValue(), new byte[4096], 8192) == 4096 ? 0 : -5, "pwrite unlinked");
            }
            check(PosixCalls.close(e.getValue()), "close unlinked");
            images.remove(e.getKey());
            links.remove(e.getKey());
        }
        burst.end().countDown();
    }

    private String nameOf(String dir, String id) {
        for (Map.Entry<String, String> e : dirs.get(dir).entrySet()) {
            if (e.getValue().equals(id)) {
                return e.getKey();
            }
        }
        throw new IllegalStateException(id + " has no name in " + dir);
    }

    /** An open descriptor for {@code id}, opening it by one of its names if needed; null if it has none. */
    private Integer ensureOpen(String id) throws Stop {
        Integer fd = openFds.get(id);
        if (fd != null) {
            return fd;
        }
        for (Map.Entry<String, Map<String, String>> d : dirs.entrySet()) {
            for (Map.Entry<String, String> e : d.getValue().entrySet()) {
                if (e.getValue().equals(id)) {
                    String path = d.getKey() + "/" + e.getKey();
                    int f = PosixCalls.open(mount.resolve(path), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
                    check(f, "open " + path);
                    openFds.put(id, f);
                    trimOpen(id);
                    return f;
                }
            }
        }
        return null;
    }

    private void trimOpen(String keep) throws Stop {
        while (openFds.size() > MAX_OPEN) {
            String victim = openFds.keySet().stream().filter(k -> !k.equals(keep)).findFirst().orElseThrow();
            closeFile(victim);
        }
    }

    private void syncDir(String dir) throws Stop {
        check(PosixCalls.fsyncDirectory(mount.resolve(dir)), "fsync directory " + dir);
        stats.dirSyncs++;
        StringJoiner j = new StringJoiner(",");
        dirs.get(dir).forEach((n, id) -> j.add(n + ":" + id));
        ack("D " + dir + " " + (j.length() == 0 ? "-" : j.toString()));
    }

    private void ack(String line) {
        log.line(line);
        stats.acks++;
    }

    private String pickDir() {
        return base + (rnd.nextBoolean() ? "/a" : "/b");
    }

    /** A random file of this thread that still exists (named or open), or null. */
    private String pickFile() {
        if (images.isEmpty()) {
            return null;
        }
        List<String> ids = new ArrayList<>(images.keySet());
        ids.sort(null);
        return ids.get(rnd.nextInt(ids.size()));
    }

    /** A random (dir, name) of a file, or null if there is none. */
    private String[] pickName() {
        List<String[]> names = new ArrayList<>();
        for (String d : List.of(base + "/a", base + "/b")) {
            dirs.get(d).forEach((n, id) -> names.add(new String[] {d, n}));
        }
        return names.isEmpty() ? null : names.get(rnd.nextInt(names.size()));
    }

    private static void check(long r, String what) throws Stop {
        if (r < 0) {
            throw new Stop(what + ": " + PosixCalls.errnoName((int) -r));
        }
    }

    /** The end of the thread: a call failed (the server died, or a bug, which the verifier judges). */
    static final class Stop extends Exception {
        Stop(String why) {
            super(why, null, false, false);
        }
    }
}
