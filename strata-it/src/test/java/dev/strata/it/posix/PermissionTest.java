package dev.strata.it.posix;

import static dev.strata.it.posix.PosixMount.NOBODY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Permission checks for a user who is not the owner: children run as uid/gid 65534 with no
 * supplementary groups (setpriv); the mount has allow_other and default_permissions, so the kernel
 * checks mode bits and the engine checks ownership rules.
 */
class PermissionTest extends OnMount {
    private static final String DENIED = "Permission denied";
    private static final String NOT_PERMITTED = "Operation not permitted";

    private static Child.Result nobody(String script) throws IOException {
        return Child.shAs(NOBODY, script);
    }

    private static String q(Path p) {
        return "'" + p + "'";
    }

    @Test
    void fileModeBitsDecideWhoMayReadAndWrite(TestInfo info) throws IOException {
        Path f = dir(info).resolve("f");
        Files.writeString(f, "secret");
        Posix.chmod(f, 0600);
        Child.Result r = nobody("cat " + q(f));
        assertThat(r.exit()).isNotZero();
        assertThat(r.out()).contains(DENIED);
        Posix.chmod(f, 0644);
        assertThat(nobody("cat " + q(f)).out()).isEqualTo("secret");
        r = nobody("echo x >> " + q(f));
        assertThat(r.out()).contains(DENIED);
        r = nobody("truncate -s 0 " + q(f));
        assertThat(r.out()).contains(DENIED);
        Posix.chmod(f, 0646);
        assertThat(nobody("echo more >> " + q(f)).ok()).isTrue();
        assertThat(Files.readString(f)).isEqualTo("secretmore\n");
        // Root reads and writes whatever the bits say.
        Posix.chmod(f, 0);
        assertThat(Files.readString(f)).isEqualTo("secretmore\n");
        // Group bits apply to a member of the group: nobody's own group.
        Posix.chown(f, 0, NOBODY);
        Posix.chmod(f, 0040);
        assertThat(nobody("cat " + q(f)).out()).isEqualTo("secretmore\n");
        // The owner class wins over the others class even when it grants less.
        Posix.chown(f, NOBODY, 0);
        Posix.chmod(f, 0044);
        assertThat(nobody("cat " + q(f)).out()).contains(DENIED);
    }

    @Test
    void executeBitDecidesWhoMayRunAFile(TestInfo info) throws IOException {
        Path f = dir(info).resolve("script");
        Files.writeString(f, "#!/bin/sh\necho ran\n");
        Posix.chmod(f, 0744);
        assertThat(nobody(q(f)).out()).contains(DENIED);
        Posix.chmod(f, 0755);
        assertThat(nobody(q(f)).out()).isEqualTo("ran\n");
    }

    @Test
    void directoryModeBitsDecideListingCreatingAndTraversal(TestInfo info) throws IOException {
        Path d = dir(info).resolve("d");
        Files.createDirectory(d);
        Files.writeString(d.resolve("known"), "k");
        Posix.chmod(d.resolve("known"), 0644);
        Posix.chmod(d, 0755);
        assertThat(nobody("ls " + q(d)).out()).isEqualTo("known\n");
        assertThat(nobody("touch " + q(d.resolve("new"))).out()).contains(DENIED);
        assertThat(nobody("rm -f " + q(d.resolve("known"))).out()).contains(DENIED);
        assertThat(nobody("mkdir " + q(d.resolve("sub"))).out()).contains(DENIED);
        Posix.chmod(d, 0711);
        assertThat(nobody("ls " + q(d)).out()).contains(DENIED);
        assertThat(nobody("cat " + q(d.resolve("known"))).out()).isEqualTo("k");
        Posix.chmod(d, 0744);
        assertThat(nobody("cat " + q(d.resolve("known"))).out()).contains(DENIED);
        Posix.chmod(d, 0733);
        assertThat(nobody("touch " + q(d.resolve("new")) + " && rm " + q(d.resolve("known"))).ok()).isTrue();
        assertThat(Files.exists(d.resolve("new"))).isTrue();
        assertThat(Files.exists(d.resolve("known"))).isFalse();
    }

    @Test
    void newFilesBelongToTheirCreator(TestInfo info) throws IOException {
        Path d = dir(info);
        assertThat(nobody("cd " + q(d) + " && touch f && mkdir sub && ln -s f l").ok()).isTrue();
        for (String n : new String[] {"f", "sub", "l"}) {
            Libc.Statx st = Libc.stat(d.resolve(n), true);
            assertThat(st.uid()).as(n).isEqualTo(NOBODY);
            assertThat(st.gid()).as(n).isEqualTo(NOBODY);
        }
    }

    @Test
    void onlyTheOwnerMayChmodChownOrSetExplicitTimes(TestInfo info) throws IOException {
        Path d = dir(info);
        Path rootFile = d.resolve("root-file");
        Files.writeString(rootFile, "x");
        Posix.chmod(rootFile, 0666);
        assertThat(nobody("chmod 777 " + q(rootFile)).out()).contains(NOT_PERMITTED);
        assertThat(nobody("chown 65534 " + q(rootFile)).out()).contains(NOT_PERMITTED);
        assertThat(nobody("touch -d @100 " + q(rootFile)).out()).contains(NOT_PERMITTED);
        // Setting the times to "now" needs only write permission.
        assertThat(nobody("touch " + q(rootFile)).ok()).isTrue();
        assertThat(Libc.stat(rootFile, false).mode() & 07777).isEqualTo(0666);

        Path own = d.resolve("own");
        assertThat(nobody("touch " + q(own) + " && chmod 600 " + q(own) + " && touch -d @100 " + q(own)).ok()).isTrue();
        assertThat(Libc.stat(own, false).mode() & 07777).isEqualTo(0600);
        assertThat(Libc.stat(own, false).mtimeSec()).isEqualTo(100);
        // An owner may not give the file away, nor to a group they are not in.
        assertThat(nobody("chown 0 " + q(own)).out()).contains(NOT_PERMITTED);
        assertThat(nobody("chgrp 0 " + q(own)).out()).contains(NOT_PERMITTED);
        assertThat(Libc.stat(own, false).uid()).isEqualTo(NOBODY);
    }

    @Test
    void aStickyDirectoryOnlyLetsOwnersRemoveEntries(TestInfo info) throws IOException {
        Path d = dir(info).resolve("tmp");
        Files.createDirectory(d);
        Posix.chmod(d, 01777);
        Files.writeString(d.resolve("roots"), "x");
        Posix.chmod(d.resolve("roots"), 0666);
        assertThat(nobody("rm -f " + q(d.resolve("roots"))).out()).contains(NOT_PERMITTED);
        assertThat(nobody("mv " + q(d.resolve("roots")) + " " + q(d.resolve("mine"))).out()).contains(NOT_PERMITTED);
        assertThat(Files.exists(d.resolve("roots"))).isTrue();
        assertThat(nobody("touch " + q(d.resolve("mine")) + " && mv " + q(d.resolve("mine")) + " "
                + q(d.resolve("mine2")) + " && rm " + q(d.resolve("mine2"))).ok()).isTrue();
        // Without the sticky bit the same user may remove root's file.
        Posix.chmod(d, 0777);
        assertThat(nobody("rm -f " + q(d.resolve("roots"))).ok()).isTrue();
        assertThat(Files.exists(d.resolve("roots"))).isFalse();
    }

    @Test
    void writingByAnotherUserClearsSetuidAndSetgid(TestInfo info) throws IOException {
        Path d = dir(info);
        Path suid = d.resolve("suid");
        Files.writeString(suid, "x");
        Posix.chmod(suid, 06777);
        assertThat(nobody("echo y >> " + q(suid)).ok()).isTrue();
        assertThat(Libc.stat(suid, false).mode() & 07777).isEqualTo(0777);
        Path trunc = d.resolve("trunc");
        Files.writeString(trunc, "x");
        Posix.chmod(trunc, 04666);
        assertThat(nobody("truncate -s 0 " + q(trunc)).ok()).isTrue();
        assertThat(Libc.stat(trunc, false).mode() & 07777).isEqualTo(0666);
        assertThat(Files.size(trunc)).isZero();
    }

    @Test
    void renameNeedsWritePermissionOnBothDirectories(TestInfo info) throws IOException {
        Path d = dir(info);
        Path open = Files.createDirectory(d.resolve("open"));
        Path closed = Files.createDirectory(d.resolve("closed"));
        Posix.chmod(open, 0777);
        Posix.chmod(closed, 0755);
        assertThat(nobody("touch " + q(open.resolve("f"))).ok()).isTrue();
        assertThat(nobody("mv " + q(open.resolve("f")) + " " + q(closed.resolve("f"))).out()).contains(DENIED);
        assertThat(Files.exists(open.resolve("f"))).isTrue();
    }
}
