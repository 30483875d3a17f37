package dev.strata.it.tier;

import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The capacity tier's control attributes on a mount (docs/CONTROL-XATTRS.md), called directly as
 * getxattr/setxattr, as a script without Strata's CLI would: the state of a file, requests, a
 * directory's policy, the mount's status. Waits are bounded polls that fail with what the mount
 * says about the files still waiting.
 */
final class Hsm {
    static final Duration POLL = Duration.ofMillis(100);
    /** A lane of the mover with nothing queued, leased or dead. */
    private static final Pattern IDLE_LANE = Pattern.compile("0 ready, 0 waiting, 0 leased, 0 dead");

    private Hsm() {}

    static String state(Path file) throws IOException {
        return text(Libc.getxattr(file, "user.strata.hsm.state", false));
    }

    static String info(Path file) throws IOException {
        return text(Libc.getxattr(file, "user.strata.hsm.info", false));
    }

    static String status(Path anywhere) throws IOException {
        return text(Libc.getxattr(anywhere, "user.strata.status", false));
    }

    /** setxattr {@code user.strata.hsm.request} = archive, release or restore. */
    static void request(Path file, String what) throws IOException {
        Libc.setxattr(file, "user.strata.hsm.request", what.getBytes(StandardCharsets.UTF_8), 0, false);
    }

    /** setxattr {@code user.strata.policy} on a directory, e.g. {@code durability=sync}. */
    static void setPolicy(Path dir, String policy) throws IOException {
        Libc.setxattr(dir, "user.strata.policy", policy.getBytes(StandardCharsets.UTF_8), 0, false);
    }

    /** Polls until every file is in {@code state}; fails after {@code limit} with their info. */
    static void awaitState(Collection<Path> files, String state, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        List<Path> waiting = new ArrayList<>(files);
        while (true) {
            List<Path> still = new ArrayList<>();
            for (Path f : waiting) {
                if (!state(f).equals(state)) {
                    still.add(f);
                }
            }
            waiting = still;
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder why = new StringBuilder();
                for (Path f : waiting) {
                    why.append(f).append(":\n").append(info(f).indent(2));
                }
                fail(waiting.size() + " file(s) not " + state + " within " + limit + ":\n" + why + "status:\n"
                        + status(waiting.getFirst()).indent(2));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * Polls until the mover's namespace lane is empty (markers, symlinks, renames and deletes all
     * replayed to the bucket); fails after {@code limit} with the mount's status.
     */
    static void awaitNamespaceReplayed(Path mountRoot, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String status = status(mountRoot);
            String lane = status.lines().filter(l -> l.startsWith("namespace-queue:")).findFirst().orElse("");
            if (IDLE_LANE.matcher(lane).find()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("the namespace queue did not drain within " + limit + ":\n" + status);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** st_blocks: 512-byte blocks the file occupies on the fast tier. */
    static long blocks(Path file) throws IOException {
        return Libc.stat(file, true).blocks();
    }

    /**
     * Writes dirty pages back and drops the clean ones (the whole machine's page cache), so that
     * the next read of a file comes from where its data lives, not from memory. Needs root, as
     * every mount test does.
     */
    static void dropCaches() throws IOException, InterruptedException {
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        if (!sync.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            sync.destroyForcibly();
            fail("sync took more than 60 s");
        }
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }
}
