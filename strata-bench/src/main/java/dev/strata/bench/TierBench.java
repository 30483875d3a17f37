package dev.strata.bench;

import dev.strata.testkit.process.Azurite;
import dev.strata.testkit.process.S3Mock;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The capacity tier against the object stores' own SDKs, on Azurite and S3Mock started here, in
 * one run: (a) upload N bytes with the raw SDK vs archive a same-size file through a Strata mount
 * (from {@code request=archive} to state {@code archived}); (b) download with the raw SDK to a file
 * vs read the released file sequentially through the mount ({@code dd bs=1M} to /dev/null). Every
 * timed phase starts with {@code sync} and dropped caches, on files written for that phase, so
 * nothing comes from memory on either side; within a round the two sides of a phase take turns
 * going first. Prints samples, summaries and a table of MiB/s with the ratio Strata/raw (target
 * 0.8). Run through {@code bench/tier} (root: mounts and drop_caches); docs/BENCHMARKS.md.
 */
public final class TierBench {
    private static final double GOAL = 0.8;
    private static final Duration PHASE_LIMIT = Duration.ofMinutes(15);
    private static final int WRITE_CHUNK = 1 << 20;

    enum Phase {
        UPLOAD("upload", "raw SDK upload", "archive"),
        DOWNLOAD("download", "raw SDK download", "read released");

        final String label;
        final String raw;
        final String strata;

        Phase(String label, String raw, String strata) {
            this.label = label;
            this.raw = raw;
            this.strata = strata;
        }
    }

    private record Key(String store, Phase phase, String side) {}

    private final PrintStream out;
    private final long sizeBytes;
    private final Path scratch;
    private final List<String> mountOpts;
    private final CacheDropper caches;
    private final Map<Key, List<Double>> samples = new LinkedHashMap<>();
    private long fileSeed;

    private TierBench(PrintStream out, long sizeBytes, Path scratch, List<String> mountOpts, CacheDropper caches) {
        this.out = out;
        this.sizeBytes = sizeBytes;
        this.scratch = scratch;
        this.mountOpts = List.copyOf(mountOpts);
        this.caches = caches;
    }

    public static void main(String[] args) throws Exception {
        Path strata = null;
        Path scratch = null;
        Path s3mockJar = null;
        long size = 256L << 20;
        int rounds = 3;
        List<String> stores = List.of("az", "s3");
        List<String> mountOpts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--strata" -> strata = Path.of(v);
                case "--scratch" -> scratch = Path.of(v);
                case "--s3mock-jar" -> s3mockJar = Path.of(v);
                case "--size" -> size = Options.bytes("--size", v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--stores" -> stores = List.of(v.split(","));
                case "--mount-opt" -> mountOpts.add(v);
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (strata == null || scratch == null || s3mockJar == null || rounds < 1 || size < 1) {
            usage("--strata, --scratch and --s3mock-jar are required");
        }
        new TierBench(System.out, size, scratch, mountOpts, CacheDropper.kernel()).run(strata, s3mockJar, stores, rounds);
    }

    private static void usage(String why) {
        System.err.println("tier-bench: " + why + "\nusage: TierBench --strata PATH/strata --scratch DIR --s3mock-jar JAR"
                + " [--size BYTES] [--rounds N] [--stores az,s3] [--mount-opt ARG]...");
        System.exit(2);
    }

    private void run(Path strata, Path s3mockJar, List<String> stores, int rounds) throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        // Ctrl-C: unmount and stop the servers on the way out, whatever the main thread is doing.
        Thread cleanup = new Thread(() -> closeAll(open), "tier-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Map<String, RawStore> raw = new LinkedHashMap<>();
            Map<String, TierMount> mounts = new LinkedHashMap<>();
            for (String s : stores) {
                switch (s) {
                    case "az" -> {
                        Azurite azurite = Azurite.start();
                        open.add(azurite);
                        azurite.createContainer("bench");
                        raw.put(s, new RawAzure(azurite.connectionString(), "bench"));
                        mounts.put(s, mount(strata, s, "az://bench/strata",
                                Map.of("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString()), open));
                    }
                    case "s3" -> {
                        S3Mock s3 = S3Mock.start(s3mockJar);
                        open.add(s3);
                        RawS3 client = new RawS3(s3.endpoint(), S3Mock.BUCKET, S3Mock.ACCESS_KEY, S3Mock.SECRET_KEY,
                                S3Mock.REGION);
                        open.add(client);
                        raw.put(s, client);
                        Map<String, String> env = new LinkedHashMap<>(s3.env());
                        env.put("AWS_EC2_METADATA_DISABLED", "true");
                        mounts.put(s, mount(strata, s, "s3://" + S3Mock.BUCKET + "/strata", env, open));
                    }
                    default -> throw new IllegalArgumentException("unknown store " + s + " (az, s3)");
                }
            }
            out.printf(Locale.ROOT, "# size %d bytes (%.0f MiB), %d rounds, stores %s%n", sizeBytes, mib(sizeBytes), rounds,
                    stores);
            for (RawStore r : raw.values()) {
                out.println("# " + r.name() + " raw: " + r.describe());
            }
            out.println("# strata: ./strata mount --store " + String.join(" ", mountOpts) + " (16 MiB parts, 4 in flight,"
                    + " 8 MiB restore chunks, read-ahead up to 16 MiB for sequential readers of released files)");
            for (int round = 1; round <= rounds; round++) {
                for (String s : stores) {
                    round(round, raw.get(s), mounts.get(s));
                }
            }
            report();
            for (Map.Entry<String, TierMount> m : mounts.entrySet()) {
                m.getValue().close();
                out.println("# strata-" + m.getKey() + " " + m.getValue().requestsServed());
            }
        } finally {
            closeAll(open);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
        }
    }

    private TierMount mount(Path strata, String name, String uri, Map<String, String> env, List<AutoCloseable> open)
            throws IOException, InterruptedException {
        TierMount m = TierMount.start(strata, scratch.resolve("mnt-" + name), scratch.resolve("data-" + name), uri, env,
                mountOpts);
        open.add(m);
        return m;
    }

    /** One round on one store: both phases, each side on fresh files, the side going first alternating. */
    private void round(int round, RawStore raw, TierMount mount) throws Exception {
        String store = raw.name();
        boolean rawFirst = round % 2 == 1;
        String rawKey = "raw/round-" + round + ".bin";
        Path source = scratch.resolve("source-" + store + "-" + round + ".bin");
        Path inMount = mount.root().resolve("round-" + round + ".bin");
        Path downloaded = scratch.resolve("download-" + store + "-" + round + ".bin");
        writeRandom(source);
        writeRandom(inMount);

        for (boolean rawTurn : new boolean[] {rawFirst, !rawFirst}) {
            caches.drop();
            if (rawTurn) {
                sample(round, store, Phase.UPLOAD, "raw", time(() -> raw.upload(rawKey, source)));
            } else {
                sample(round, store, Phase.UPLOAD, "strata", time(() -> {
                    mount.request(inMount, "archive");
                    mount.awaitState(inMount, "archived", PHASE_LIMIT);
                }));
            }
        }
        mount.request(inMount, "release");
        if (!mount.state(inMount).equals("released")) {
            throw new IOException(inMount + " is not released after the release request");
        }
        for (boolean rawTurn : new boolean[] {rawFirst, !rawFirst}) {
            caches.drop();
            if (rawTurn) {
                sample(round, store, Phase.DOWNLOAD, "raw", time(() -> raw.download(rawKey, downloaded)));
                if (Files.size(downloaded) != sizeBytes) {
                    throw new IOException("downloaded " + Files.size(downloaded) + " bytes, not " + sizeBytes);
                }
            } else {
                sample(round, store, Phase.DOWNLOAD, "strata", time(() -> dd(inMount)));
            }
        }
        Files.delete(source);
        Files.delete(downloaded);
        Files.delete(inMount);
    }

    /** Sequential read to /dev/null with 1 MiB reads, as {@code dd} does it; checks the byte count. */
    private void dd(Path file) throws Exception {
        Process p = new ProcessBuilder("dd", "if=" + file, "of=/dev/null", "bs=1M").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(PHASE_LIMIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0
                || !text.contains(sizeBytes + " bytes")) {
            throw new IOException("dd of " + file + " failed:\n" + text);
        }
    }

    /** Fresh, incompressible content, fsynced, so the timed phase reads it from the disk. */
    private void writeRandom(Path file) throws IOException {
        Random random = new Random(++fileSeed);
        byte[] chunk = new byte[WRITE_CHUNK];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < sizeBytes; done += chunk.length) {
                random.nextBytes(chunk);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, sizeBytes - done));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            ch.force(true);
        }
    }

    interface Timed {
        void run() throws Exception;
    }

    private static double time(Timed t) throws Exception {
        long t0 = System.nanoTime();
        t.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private void sample(int round, String store, Phase phase, String side, double seconds) {
        double mibps = mib(sizeBytes) / seconds;
        samples.computeIfAbsent(new Key(store, phase, side), k -> new ArrayList<>()).add(mibps);
        out.printf(Locale.ROOT, "sample round=%d store=%s phase=%s side=%s seconds=%.2f value=%.1f unit=MiB/s%n", round, store,
                phase.label, side, seconds, mibps);
        out.flush();
    }

    private void report() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"store", "phase", "raw SDK", "MiB/s", "Strata", "MiB/s", "ratio", "target"});
        for (Key k : samples.keySet()) {
            if (!k.side().equals("raw")) {
                continue;
            }
            Stats raw = Stats.of(samples.get(k));
            List<Double> strataSamples = samples.get(new Key(k.store(), k.phase(), "strata"));
            if (strataSamples == null) {
                continue;
            }
            Stats strata = Stats.of(strataSamples);
            double ratio = strata.median() / raw.median();
            for (String side : List.of("raw", "strata")) {
                Stats s = side.equals("raw") ? raw : strata;
                out.printf(Locale.ROOT, "summary store=%s phase=%s side=%s median=%.1f min=%.1f max=%.1f n=%d unit=MiB/s%n",
                        k.store(), k.phase().label, side, s.median(), s.min(), s.max(), s.count());
            }
            String verdict = ratio >= GOAL ? "pass" : "miss";
            out.printf(Locale.ROOT, "ratio store=%s phase=%s value=%.2f goal=%.2f result=%s%n", k.store(), k.phase().label,
                    ratio, GOAL, verdict);
            rows.add(new String[] {k.store(), k.phase().label, k.phase().raw, figure(raw), k.phase().strata, figure(strata),
                    String.format(Locale.ROOT, "%.2f", ratio), "≥ " + GOAL + " " + verdict});
        }
        out.println();
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format(Locale.ROOT, "%-" + (width[i] + 2) + "s", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    private static String figure(Stats s) {
        return String.format(Locale.ROOT, "%.0f [%.0f–%.0f]", s.median(), s.min(), s.max());
    }

    private static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }

    private static void closeAll(List<AutoCloseable> open) {
        // Mounts before servers: unmounting flushes through the store.
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("tier-bench: closing " + open.get(i) + ": " + e);
            }
        }
        open.clear();
    }
}
