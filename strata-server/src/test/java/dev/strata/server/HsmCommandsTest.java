package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testkit.store.FakeSleeper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata hsm ...} against a fake mount (real files, simulated attributes) and a fake clock. */
class HsmCommandsTest {
    @TempDir
    Path dir;

    private Path mnt;
    private FakeMount mount;
    private final FakeSleeper sleeper = new FakeSleeper();

    @BeforeEach
    void mount() throws Exception {
        mnt = Files.createDirectories(dir.resolve("mnt"));
        mount = new FakeMount(mnt);
    }

    private CliRun run(String... args) {
        return CliRun.of(new ControlEnv(mount, sleeper), args);
    }

    private Path file(String name, String state) throws Exception {
        Path p = mnt.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, name);
        mount.states.put(p, state);
        return p;
    }

    @Test
    void stateOfFilesAndDirectories() throws Exception {
        Path a = file("a", "dirty");
        Path plain = Files.createFile(dir.resolve("plain"));
        CliRun r = run("hsm", "state", a.toString(), mnt.toString(), plain.toString(), mnt.resolve("gone").toString());
        assertThat(r.out()).isEqualTo(a + ": dirty\n" + mnt + ": directory\n");
        assertThat(r.err()).isEqualTo("strata: " + plain + " is not on a Strata mount\n"
                + "strata: " + mnt.resolve("gone") + ": no such file or directory\n");
        assertThat(r.status()).isEqualTo(1);
    }

    @Test
    void stateRecursivelyPrintsEveryRegularFile() throws Exception {
        file("d/x", "archived");
        file("d/sub/y", "released");
        file("d/b", "resident");
        Files.createSymbolicLink(mnt.resolve("d/link"), mnt.resolve("d/x"));
        CliRun r = run("hsm", "state", "-r", mnt.resolve("d").toString());
        Path d = mnt.resolve("d");
        assertThat(r.out()).isEqualTo(d.resolve("b") + ": resident\n" + d.resolve("x") + ": archived\n"
                + d.resolve("sub/y") + ": released\n");
        assertThat(r.status()).isZero();
    }

    @Test
    void recursionIntoAPlainDirectoryFailsOnceNotPerFile() throws Exception {
        Files.createDirectories(dir.resolve("plain"));
        for (int i = 0; i < 5; i++) {
            Files.createFile(dir.resolve("plain/f" + i));
        }
        CliRun r = run("hsm", "archive", "-r", dir.resolve("plain").toString());
        assertThat(r.err()).isEqualTo("strata: " + dir.resolve("plain") + " is not on a Strata mount\n");
        assertThat(r.out()).isEqualTo("0 files archived, 0 already archived, 1 failed\n");
        assertThat(r.status()).isEqualTo(1);
    }

    @Test
    void archiveWaitsUntilArchivedPollingEvery100Ms() throws Exception {
        Path a = file("a", "dirty");
        Path b = file("b", "archived");
        mount.pollsToFinish = 4;
        CliRun r = run("hsm", "archive", a.toString(), b.toString());
        assertThat(r.out()).isEqualTo(b + ": already archived\n" + a + ": archived\n");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(mount.requests).containsExactly("archive a");
        assertThat(sleeper.sleeps()).isEqualTo(3);
        assertThat(sleeper.sleptNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
    }

    @Test
    void archiveRecursivelyCountsAndGoesOnAfterFailures() throws Exception {
        file("d/a", "dirty");
        file("d/b", "archived");
        file("d/c", "released");
        Path lost = file("d/e/lost", "resident");
        Path busy = file("d/e/unreachable", "resident");
        mount.failing.put(lost, "crc32c mismatch: object has 1a2b3c4d, file has 00000000");
        mount.unreachable.add(busy);
        CliRun r = run("hsm", "archive", "-r", mnt.resolve("d").toString());
        assertThat(r.out()).isEqualTo("1 file archived, 2 already archived, 2 failed\n");
        assertThat(r.err()).contains("strata: " + lost + " is lost: crc32c mismatch: object has 1a2b3c4d, file has 00000000\n")
                .contains("strata: " + busy + ": the capacity tier could not be reached: ");
        assertThat(r.status()).isEqualTo(1);
    }

    @Test
    void archiveOfADirectoryWithoutRecursionSaysUseR() {
        CliRun r = run("hsm", "archive", mnt.toString());
        assertThat(r.err()).isEqualTo("strata: " + mnt + " is a directory; use -r to archive every file below it\n");
        assertThat(r.status()).isEqualTo(1);
    }

    @Test
    void archiveTimesOutNamingTheFilesStillPending() throws Exception {
        for (int i = 0; i < 12; i++) {
            mount.stuck.add(file("s/f" + (char) ('a' + i), "dirty"));
        }
        CliRun r = run("hsm", "archive", "-r", "--timeout", "2s", mnt.resolve("s").toString());
        Path s = mnt.resolve("s");
        assertThat(r.err()).isEqualTo("strata: timed out after 2s waiting for 12 files to be archived: "
                + s.resolve("fa") + ", " + s.resolve("fb") + ", " + s.resolve("fc") + ", " + s.resolve("fd") + ", "
                + s.resolve("fe") + ", " + s.resolve("ff") + ", " + s.resolve("fg") + ", " + s.resolve("fh") + ", "
                + s.resolve("fi") + ", " + s.resolve("fj") + " and 2 more (the requests stay queued; ./strata hsm queue"
                + " shows failing tasks)\n");
        assertThat(r.out()).isEqualTo("0 files archived, 0 already archived, 12 failed\n");
        assertThat(r.status()).isEqualTo(1);
        assertThat(sleeper.nanoTime()).isEqualTo(Duration.ofSeconds(2).toNanos());
    }

    @Test
    void noWaitReturnsOnceQueued() throws Exception {
        Path a = file("a", "dirty");
        CliRun r = run("hsm", "archive", "--no-wait", a.toString());
        assertThat(r.out()).isEqualTo(a + ": archive requested\n");
        assertThat(r.status()).isZero();
        assertThat(sleeper.sleeps()).isZero();

        CliRun rr = run("hsm", "restore", "-r", "--no-wait", mnt.toString());
        assertThat(rr.out()).isEqualTo("0 restore requests sent, 1 not released, 0 failed\n");
    }

    @Test
    void badTimeoutIsRefusedBeforeAnyCall() throws Exception {
        Path a = file("a", "dirty");
        CliRun r = run("hsm", "archive", "--timeout", "10", a.toString());
        assertThat(r.err()).isEqualTo("strata: --timeout takes a duration like 30s, 5m or 2h, not '10'\n");
        assertThat(r.status()).isEqualTo(1);
        assertThat(mount.requests).isEmpty();
    }

    @Test
    void releaseExplainsWhyNot() throws Exception {
        Path archived = file("archived", "archived");
        Path dirty = file("dirty", "dirty");
        Path open = file("open", "archived");
        Path done = file("done", "released");
        mount.open.add(open);
        CliRun r = run("hsm", "release", archived.toString(), dirty.toString(), open.toString(), done.toString());
        assertThat(r.out()).isEqualTo(archived + ": released\n" + done + ": already released\n");
        assertThat(r.err()).isEqualTo(
                "strata: " + dirty + " is dirty, not archived: archive it first (./strata hsm archive " + dirty + ")\n"
                + "strata: " + open + " is open; close it first\n");
        assertThat(r.status()).isEqualTo(1);
        assertThat(mount.states.get(archived)).isEqualTo("released");
    }

    @Test
    void releaseRecursivelySummarises() throws Exception {
        file("a", "archived");
        file("b", "archived");
        file("c", "released");
        CliRun r = run("hsm", "release", "-r", mnt.toString());
        assertThat(r.out()).isEqualTo("2 files released, 1 already released, 0 failed\n");
        assertThat(r.status()).isZero();
    }

    @Test
    void restoreWaitsUntilTheDataIsBack() throws Exception {
        Path a = file("a", "released");
        Path b = file("b", "archived");
        CliRun r = run("hsm", "restore", a.toString(), b.toString());
        assertThat(r.out()).isEqualTo(b + ": not released (nothing to restore)\n" + a + ": restored\n");
        assertThat(r.status()).isZero();
        assertThat(mount.states.get(a)).isEqualTo("archived");
        assertThat(sleeper.sleeps()).isPositive();
    }

    @Test
    void restoreOfAFileThatTurnsLostFails() throws Exception {
        Path a = file("a", "released");
        mount.failing.put(a, "object changed: etag \"0x1\" is gone (the bucket was modified outside Strata)");
        CliRun r = run("hsm", "restore", a.toString());
        assertThat(r.err()).isEqualTo("strata: " + a + " is lost: object changed: etag \"0x1\" is gone (the bucket was"
                + " modified outside Strata)\n");
        assertThat(r.status()).isEqualTo(1);
    }

    @Test
    void requestsUnderScratchAreRefusedWithTheWayOut() throws Exception {
        Path a = file("tmp/a", "resident");
        mount.policies.put(mnt.resolve("tmp"), "durability=scratch");
        CliRun r = run("hsm", "archive", a.toString());
        assertThat(r.err()).isEqualTo("strata: " + a + " is under a scratch policy (set on " + mnt.resolve("tmp")
                + "), so it is never archived; change it with ./strata policy set " + mnt.resolve("tmp")
                + " --durability async\n");
    }

    @Test
    void aSubcommandIsRequired() {
        CliRun r = run("hsm");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("strata: a subcommand is required: state, archive, release, restore or queue");
    }
}
