package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.nativeio.Errnos;
import dev.strata.server.MountControl.Request;
import dev.strata.server.MountControl.Target;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountControlTest {
    @TempDir
    Path dir;

    @Test
    void aPlainDirectoryIsNotAStrataMount() throws Exception {
        // The real system calls: user attributes on ext4 or tmpfs answer ENODATA for our names.
        MountControl control = new MountControl(Xattrs.SYSTEM);
        Path file = Files.createFile(dir.resolve("f"));
        assertThatThrownBy(() -> control.state(new Target(file, false)))
                .isInstanceOf(CliException.class).hasMessage(file + " is not on a Strata mount");
        assertThatThrownBy(() -> control.state(new Target(file, true))).hasMessage(file + " is not on a Strata mount");
        assertThatThrownBy(() -> control.effectivePolicy(dir)).hasMessage(dir + " is not on a Strata mount");
        assertThatThrownBy(() -> control.status(dir)).hasMessage(dir + " is not on a Strata mount");
        assertThatThrownBy(() -> control.queue(dir)).hasMessage(dir + " is not on a Strata mount");
        assertThatThrownBy(() -> control.state(new Target(dir.resolve("missing"), false)))
                .hasMessage(dir.resolve("missing") + ": no such file or directory");
    }

    @Test
    void aSpecialFileIsNamedAsSuch() throws Exception {
        MountControl control = new MountControl(Xattrs.SYSTEM);
        Path socket = dir.resolve("socket");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(socket));
            assertThatThrownBy(() -> control.state(new Target(socket, false)))
                    .hasMessage(socket + " is not a regular file or directory: Strata keeps no state for it");
        }
    }

    @Test
    void errnosInWords() {
        Target t = new Target(dir.resolve("missing/f"), false);
        String p = t.toString();
        assertThat(MountControl.explain(t, "read the state of", Errnos.ENODATA)).isEqualTo(p + " is not on a Strata mount");
        assertThat(MountControl.explain(t, "read the state of", Errnos.EOPNOTSUPP)).isEqualTo(p + " is not on a Strata mount");
        assertThat(MountControl.explain(t, "read the state of", Errnos.ENOENT)).isEqualTo(p + ": no such file or directory");
        assertThat(MountControl.explain(t, "archive", Errnos.EACCES)).isEqualTo(p + ": permission denied (cannot archive it)");
        assertThat(MountControl.explain(t, "archive", Errnos.ENOTCONN))
                .startsWith(p + " is on a Strata mount whose process has ended; mount it again");
        assertThat(MountControl.explain(t, "archive", Errnos.EROFS)).isEqualTo(p + " is on a read-only mount");
        assertThat(MountControl.explain(t, "archive", Errnos.ENOSPC))
                .isEqualTo(p + ": cannot archive it: No space left on device (ENOSPC)");
    }

    @Test
    void requestErrnosSayWhatToDo() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        FakeMount mount = new FakeMount(mnt);
        MountControl control = new MountControl(mount);
        Target f = new Target(Files.createFile(mnt.resolve("f")), false);
        mount.states.put(f.path(), "dirty");

        assertThat(control.requestFailed(f, Request.ARCHIVE, Errnos.EBUSY)).isEqualTo(f + " is open; close it first");
        assertThat(control.requestFailed(f, Request.ARCHIVE, Errnos.EINVAL)).isEqualTo(f + " is not a regular file");
        assertThat(control.requestFailed(f, Request.RELEASE, Errnos.EPERM))
                .isEqualTo(f + " is dirty, not archived: archive it first (./strata hsm archive " + f + ")");
        assertThat(control.requestFailed(f, Request.RESTORE, Errnos.EPERM)).isEqualTo(f + ": restore is not permitted (EPERM)");
        assertThat(control.requestFailed(new Target(mnt, false), Request.RELEASE, Errnos.EPERM))
                .isEqualTo(mnt + " is not a regular file");

        mount.unreachable.add(f.path());
        assertThatThrownBy(() -> control.request(f, Request.ARCHIVE))
                .hasMessage(f + ": the capacity tier could not be reached: az://c: put \"f\" failed without an answer"
                        + " from Azure: Connection refused (./strata status shows the store)");
    }

    @Test
    void archiveOfALostFileSaysLostWithItsError() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        FakeMount mount = new FakeMount(mnt);
        Target f = new Target(Files.createFile(mnt.resolve("f")), false);
        mount.failing.put(f.path(), "object gone: HTTP 404 BlobNotFound");
        mount.pollsToFinish = 1;
        MountControl control = new MountControl(mount);
        control.request(f, Request.ARCHIVE);
        assertThat(control.state(f)).isEqualTo("lost");
        assertThatThrownBy(() -> control.request(f, Request.ARCHIVE))
                .hasMessage(f + " is lost: object gone: HTTP 404 BlobNotFound");
    }

    @Test
    void policyAndQueueRefusalsInWords() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Path f = Files.createFile(mnt.resolve("f"));
        MountControl control = new MountControl(new FakeMount(mnt));
        assertThatThrownBy(() -> control.setPolicy(f, "durability=sync"))
                .hasMessage(f + " is not a directory: a policy is set on a directory and applies to everything below it");
        assertThatThrownBy(() -> control.setPolicy(mnt, "durability=often"))
                .hasMessage("Strata refused the policy 'durability=often' for " + mnt + " (EINVAL)");
        assertThatThrownBy(() -> control.queueCommand(mnt, "retry", "99"))
                .hasMessage("no dead letter with id 99 at " + mnt + " (./strata hsm queue lists them)");
        assertThatThrownBy(() -> control.queueCommand(mnt, "retry", "x"))
                .hasMessage("the mount at " + mnt + " refused 'retry x' (EINVAL)");
    }

    @Test
    void aScratchPolicyIsNamedWithTheDirectoryThatSetsIt() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Path tmp = Files.createDirectories(mnt.resolve("tmp/deeper"));
        FakeMount mount = new FakeMount(mnt);
        mount.policies.put(mnt.resolve("tmp"), "durability=scratch");
        Target f = new Target(Files.createFile(tmp.resolve("f")), true);
        MountControl control = new MountControl(mount);

        assertThatThrownBy(() -> control.request(f, Request.ARCHIVE))
                .hasMessage(f + " is under a scratch policy (set on " + mnt.resolve("tmp") + "), so it is never archived;"
                        + " change it with ./strata policy set " + mnt.resolve("tmp") + " --durability async");
    }

    @Test
    void policySourceIsTheAncestorWithThatInode() throws Exception {
        Path deep = Files.createDirectories(dir.resolve("a/b/c"));
        long ino = ((Number) Files.getAttribute(dir.resolve("a"), "unix:ino")).longValue();
        assertThat(MountControl.policySource(deep, ino)).contains(dir.resolve("a"));
        assertThat(MountControl.policySource(deep, -1)).isEmpty();
        assertThat(MountControl.policySource(dir.resolve("a"), 123_456_789_012L)).isEmpty();
    }

    @Test
    void parsesTheAttributeFormats() {
        assertThat(MountControl.parseLines("state=lost\nerror=crc32c mismatch: want 1a2b3c4d\n\nodd line\n"))
                .containsExactly(Map.entry("state", "lost"), Map.entry("error", "crc32c mismatch: want 1a2b3c4d"));
        assertThat(MountControl.parseWords(" durability=sync  max-dirty-age=300s "))
                .containsExactly(Map.entry("durability", "sync"), Map.entry("max-dirty-age", "300s"));
        MountControl.Effective e = MountControl.parseEffective("durability=async max-dirty-age=300s from-ino=1\n");
        assertThat(e.policy()).isEqualTo("durability=async max-dirty-age=300s");
        assertThat(e.fromIno()).isEqualTo(1);
        assertThat(e.durability()).isEqualTo("async");
        assertThat(MountControl.parseEffective("durability=sync from-ino=x").fromIno()).isEqualTo(-1);
    }
}
