package dev.strata.meta.rocksdb;

import dev.strata.core.FileType;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import dev.strata.core.Timespec;
import dev.strata.core.meta.DirEntry;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mutation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Commits per second of the RocksDB store, for quoting, not for asserting:
 * {@code java -cp TEST_CLASSPATH dev.strata.meta.rocksdb.MetadataThroughput [DIR] [SECONDS_PER_SCENARIO]}.
 * DIR should be on the disk the store will use; fsync cost decides the "sync" rows.
 */
final class MetadataThroughput {
    /** Bounds one scenario however fast the machine is. */
    private static final long MAX_COMMITS_PER_SCENARIO = 5_000_000;
    private static final Timespec T = new Timespec(1_700_000_000L, 0);

    record Result(String scenario, int threads, long commits, long nanos, long walSyncs) {
        double commitsPerSecond() {
            return commits * 1e9 / nanos;
        }

        @Override
        public String toString() {
            return String.format("%-50s %2d thread(s) %10.0f commits/s  (%d commits, %d WAL fsyncs)", scenario, threads,
                    commitsPerSecond(), commits, walSyncs);
        }
    }

    private interface Commit {
        void run(RocksDbMetadataStore store, int thread, long i) throws FsException;
    }

    private MetadataThroughput() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("strata-meta-throughput");
        Duration each = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 3);
        for (Result r : run(dir, each)) {
            System.out.println(r);
        }
    }

    static List<Result> run(Path dir, Duration each) throws Exception {
        List<Result> results = new ArrayList<>();
        results.add(measure(dir.resolve("a"), "1 key (inode update), no sync", 1, false, each, MetadataThroughput::updateInode));
        results.add(measure(dir.resolve("b"), "4 keys (create: inode+entry+index+count), no sync", 1, false, each,
                MetadataThroughput::create));
        results.add(measure(dir.resolve("c"), "1 key (inode update), sync each", 1, true, each, MetadataThroughput::updateInode));
        results.add(measure(dir.resolve("d"), "4 keys (create), sync each", 1, true, each, MetadataThroughput::create));
        results.add(measure(dir.resolve("e"), "4 keys (create), sync each, group commit", 4, true, each,
                MetadataThroughput::create));
        results.add(measure(dir.resolve("f"), "4 keys (create), sync each, group commit", 16, true, each,
                MetadataThroughput::create));
        return results;
    }

    private static Result measure(Path dir, String scenario, int threads, boolean syncEach, Duration duration, Commit commit)
            throws Exception {
        try (RocksDbMetadataStore store = RocksDbMetadataStore.open(dir)) {
            for (int t = 0; t < threads; t++) {
                store.commit(new Mutation().putInode(inode(inoOf(t, 0))));
            }
            AtomicLong commits = new AtomicLong();
            long syncsBefore = store.walSyncs();
            long deadline = System.nanoTime() + duration.toNanos();
            long start = System.nanoTime();
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        for (long i = 1; i <= MAX_COMMITS_PER_SCENARIO / threads && System.nanoTime() < deadline; i++) {
                            commit.run(store, thread, i);
                            if (syncEach) {
                                store.sync();
                            }
                            commits.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
            return new Result(scenario, threads, commits.get(), System.nanoTime() - start, store.walSyncs() - syncsBefore);
        }
    }

    private static void updateInode(RocksDbMetadataStore store, int thread, long i) throws FsException {
        store.commit(new Mutation().putInode(inode(inoOf(thread, 0)).toBuilder().sizeBytes(i).build()));
    }

    private static void create(RocksDbMetadataStore store, int thread, long i) throws FsException {
        long ino = inoOf(thread, i);
        store.commit(new Mutation().putInode(inode(ino))
                .putEntry(1 + thread, new DirEntry(Name.of("file-" + i), ino, FileType.REGULAR, InodeRecord.FIRST_COOKIE + i)));
    }

    private static long inoOf(int thread, long i) {
        return 2 + (long) thread * MAX_COMMITS_PER_SCENARIO * 2 + i;
    }

    private static InodeRecord inode(long ino) {
        return new InodeRecord.Builder().ino(ino).mode(0100644).nlink(1).atime(T).mtime(T).ctime(T).btime(T).parent(1).build();
    }
}
