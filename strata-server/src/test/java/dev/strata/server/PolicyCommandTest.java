package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.testkit.store.FakeSleeper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {
    @TempDir
    Path dir;

    private Path mnt;
    private FakeMount mount;

    @BeforeEach
    void mount() throws Exception {
        mnt = Files.createDirectories(dir.resolve("mnt"));
        mount = new FakeMount(mnt);
    }

    private CliRun run(String... args) {
        return CliRun.of(new ControlEnv(mount, new FakeSleeper()), args);
    }

    @Test
    void valuesAreValidatedAndNormalised() throws Exception {
        assertThat(PolicyCommand.value("sync", "5m")).isEqualTo("durability=sync max-dirty-age=300s");
        assertThat(PolicyCommand.value("ASYNC", "2h")).isEqualTo("durability=async max-dirty-age=7200s");
        assertThat(PolicyCommand.value("scratch", null)).isEqualTo("durability=scratch");
        assertThatThrownBy(() -> PolicyCommand.value("fast", null))
                .hasMessage("--durability takes scratch, async or sync, not 'fast'");
        assertThatThrownBy(() -> PolicyCommand.value("scratch", "5m"))
                .hasMessage("--max-dirty-age does not apply to scratch: scratch files are never archived");
        assertThatThrownBy(() -> PolicyCommand.value("async", "5 minutes"))
                .hasMessage("--max-dirty-age takes a duration like 30s, 5m or 2h, not '5 minutes'");
    }

    @Test
    void setShowAndUnset() throws Exception {
        Path runs = Files.createDirectories(mnt.resolve("runs/42"));
        Path ckpt = Files.createFile(runs.resolve("ckpt"));

        CliRun set = run("policy", "set", mnt.resolve("runs").toString(), "--durability", "sync", "--max-dirty-age", "5m");
        assertThat(set.out()).isEqualTo(mnt.resolve("runs") + ": durability=sync max-dirty-age=300s\n");
        assertThat(set.status()).isZero();

        CliRun show = run("policy", "show", ckpt.toString());
        assertThat(show.out()).isEqualTo("path:      " + ckpt + "\n"
                + "own:       none (policies are set on directories)\n"
                + "effective: durability=sync max-dirty-age=300s\n"
                + "from:      " + mnt.resolve("runs") + "\n");

        CliRun own = run("policy", "show", mnt.resolve("runs").toString());
        assertThat(own.out()).contains("own:       durability=sync max-dirty-age=300s\n")
                .contains("from:      " + mnt.resolve("runs") + " itself\n");

        CliRun unset = run("policy", "unset", mnt.resolve("runs").toString());
        assertThat(unset.out()).isEqualTo(mnt.resolve("runs") + ": policy removed; it now inherits durability=async"
                + " max-dirty-age=300s from the mount's default (no directory up to " + mnt + " sets a policy)\n");
        CliRun again = run("policy", "unset", mnt.resolve("runs").toString());
        assertThat(again.out()).isEqualTo(mnt.resolve("runs") + " has no policy of its own; nothing to unset\n");
        assertThat(again.status()).isZero();
    }

    @Test
    void setRefusesBadValuesBeforeTouchingTheMount() throws Exception {
        CliRun r = run("policy", "set", dir.resolve("nowhere").toString(), "--durability", "sometimes");
        assertThat(r.err()).isEqualTo("strata: --durability takes scratch, async or sync, not 'sometimes'\n");
        assertThat(r.status()).isEqualTo(1);
        CliRun missing = run("policy", "set", mnt.toString());
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--durability=scratch|async|sync'");
    }

    @Test
    void setNeedsADirectoryOnAMount() throws Exception {
        Path f = Files.createFile(mnt.resolve("f"));
        assertThat(run("policy", "set", f.toString(), "--durability", "sync").err())
                .isEqualTo("strata: " + f + " is not a directory: a policy is set on a directory and applies to"
                        + " everything below it\n");
        Path plain = Files.createDirectories(dir.resolve("plain"));
        assertThat(run("policy", "set", plain.toString(), "--durability", "sync").err())
                .isEqualTo("strata: " + plain + " is not on a Strata mount\n");
        // Nothing was stored on the plain directory.
        assertThatThrownBy(() -> Xattrs.SYSTEM.get(plain, MountControl.POLICY, false))
                .isInstanceOf(dev.strata.nativeio.ErrnoException.class);
        assertThat(run("policy", "show", plain.toString()).err()).isEqualTo("strata: " + plain + " is not on a Strata mount\n");
        assertThat(run("policy", "unset", plain.toString()).err()).isEqualTo("strata: " + plain + " is not on a Strata mount\n");
    }
}
