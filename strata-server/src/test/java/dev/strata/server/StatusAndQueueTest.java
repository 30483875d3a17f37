package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testkit.store.FakeSleeper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusAndQueueTest {
    @TempDir
    Path dir;

    private Path mnt;
    private FakeMount mount;

    @BeforeEach
    void mount() throws Exception {
        mnt = Files.createDirectories(dir.resolve("mnt"));
        mount = new FakeMount(mnt);
        mount.deadLetters.put("17", "runs/a");
        mount.deadLetters.put("23", "runs/b");
    }

    private CliRun run(String... args) {
        return CliRun.of(new ControlEnv(mount, new FakeSleeper()), args);
    }

    @Test
    void statusPrintsTheMountsReport() {
        CliRun r = run("status", mnt.toString());
        assertThat(r.out()).isEqualTo("store: file:///fake\ndirty-files: 1\n");
        assertThat(r.status()).isZero();
    }

    @Test
    void statusOutsideAMountSaysSo() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        CliRun r = CliRun.of(ControlEnv.SYSTEM, "status", plain.toString());
        assertThat(r.err()).isEqualTo("strata: " + plain + " is not on a Strata mount\n");
        assertThat(r.status()).isEqualTo(1);
    }

    @Test
    void queueListsAndRetriesOrDiscardsDeadLetters() {
        CliRun list = run("hsm", "queue", mnt.toString());
        assertThat(list.out()).contains("dead id=17 kind=archive key=runs/a").contains("dead id=23");

        assertThat(run("hsm", "queue", mnt.toString(), "--retry", "17").out()).isEqualTo("dead letter 17 queued again\n");
        assertThat(run("hsm", "queue", mnt.toString(), "--discard", "23").out()).isEqualTo("dead letter 23 discarded\n");
        assertThat(mount.requests).containsExactly("retry 17", "discard 23");

        CliRun unknown = run("hsm", "queue", mnt.toString(), "--retry", "17");
        assertThat(unknown.err()).isEqualTo("strata: no dead letter with id 17 at " + mnt + " (./strata hsm queue lists them)\n");
        assertThat(unknown.status()).isEqualTo(1);
    }

    @Test
    void queueOptionsAreExclusiveAndIdsChecked() {
        assertThat(run("hsm", "queue", mnt.toString(), "--retry", "1", "--discard", "2").status()).isEqualTo(2);
        CliRun bad = run("hsm", "queue", mnt.toString(), "--retry", "1; rm");
        assertThat(bad.err()).isEqualTo("strata: --retry takes a dead letter's number as ./strata hsm queue shows it (id=N), not '1; rm'\n");
        assertThat(mount.requests).isEmpty();
    }

    @Test
    void deadLetterLinesAreMatchedByTheirIdOnly() {
        String queue = "archive ready=0 waiting=0 leased=0 dead=1 oldest-age-s=0\ndead id=7 kind=archive key=id=8 attempts=3\n";
        assertThat(HsmQueueCommand.hasDeadLetter(queue, "7")).isTrue();
        assertThat(HsmQueueCommand.hasDeadLetter(queue, "8")).isFalse();
    }
}
