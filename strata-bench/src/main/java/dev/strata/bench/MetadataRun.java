package dev.strata.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An mdtest-like run: {@code threads} threads, each in its own directory, go through
 * {@code files} files phase by phase — create (open O_CREAT|O_EXCL, write a small block, close),
 * stat, read (open, read, close), unlink — and every phase is timed from the moment all threads
 * start it until the last one finishes. The directories are made before and removed after the
 * timed phases.
 *
 * <p>Threads: {@code threads} platform threads of a pool this object owns; each touches only its
 * own directory and its own buffer.
 */
final class MetadataRun implements AutoCloseable {
    private final int threads;
    private final int files;
    private final int smallBytes;
    private final ExecutorService pool;
    private final ByteBuffer[] buffers;

    MetadataRun(int threads, int files, int smallBytes) {
        this.threads = threads;
        this.files = files;
        this.smallBytes = smallBytes;
        this.pool = Executors.newFixedThreadPool(threads, r -> Thread.ofPlatform().name("md-", 0).unstarted(r));
        this.buffers = new ByteBuffer[threads];
        for (int i = 0; i < threads; i++) {
            buffers[i] = ByteBuffer.allocateDirect(smallBytes);
        }
    }

    /** Runs the four phases under {@code base} (which must not exist) and returns ops/s per phase. */
    Map<Workload, Double> run(Path base) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            dirs.add(Files.createDirectories(base.resolve("t" + t)));
        }
        Map<Workload, Double> out = new EnumMap<>(Workload.class);
        out.put(Workload.MD_CREATE, phase(dirs, this::create));
        out.put(Workload.MD_STAT, phase(dirs, this::stat));
        out.put(Workload.MD_READ, phase(dirs, this::read));
        out.put(Workload.MD_UNLINK, phase(dirs, (t, p) -> Files.delete(p)));
        for (Path d : dirs) {
            Files.delete(d);
        }
        Files.delete(base);
        return out;
    }

    private interface FileStep {
        void apply(int thread, Path file) throws IOException;
    }

    private double phase(List<Path> dirs, FileStep step) throws IOException {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Path dir = dirs.get(t);
            running.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < files; i++) {
                    step.apply(thread, dir.resolve("f" + i));
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException("metadata thread failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return (double) threads * files / seconds;
    }

    private void create(int thread, Path file) throws IOException {
        ByteBuffer b = buffers[thread].clear();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    private void stat(int thread, Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (a.size() != smallBytes) {
            throw new IOException(file + ": stat says " + a.size() + " bytes, " + smallBytes + " were written");
        }
    }

    private void read(int thread, Path file) throws IOException {
        ByteBuffer b = buffers[thread].clear();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (b.hasRemaining() && ch.read(b) > 0) {
                // read to the end of the small file
            }
        }
        if (b.position() != smallBytes) {
            throw new IOException(file + ": read " + b.position() + " bytes, " + smallBytes + " were written");
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
