package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import dev.strata.server.MountControl.Target;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWalkTest {
    @TempDir
    Path dir;

    private final List<String> files = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<Boolean> walked = new ArrayList<>();
    private final FileWalk.Visitor visitor = new FileWalk.Visitor() {
        @Override
        public void file(Target file) {
            walked.add(file.walked());
            files.add(dir.relativize(file.path()).toString());
        }

        @Override
        public void failed(String message) {
            failures.add(message);
        }
    };

    @Test
    void visitsRegularFilesInNameOrderWithoutFollowingSymlinks() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createFile(outside.resolve("not-me"));
        Path t = Files.createDirectories(dir.resolve("t/b/deep"));
        Files.createDirectories(dir.resolve("t/a"));
        Files.createDirectories(dir.resolve("t/empty"));
        for (String f : new String[] {"t/z", "t/c", "t/a/1", "t/b/2", "t/b/deep/3"}) {
            Files.writeString(dir.resolve(f), f);
        }
        Files.createSymbolicLink(dir.resolve("t/link-to-file"), dir.resolve("t/z"));
        Files.createSymbolicLink(dir.resolve("t/link-to-dir"), outside);
        assertThat(t).isDirectory();

        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(dir.resolve("t/socket"))); // a special file
            FileWalk.regularFiles(dir.resolve("t"), visitor);
        }

        assertThat(files).containsExactly("t/c", "t/z", "t/a/1", "t/b/2", "t/b/deep/3");
        assertThat(walked).containsOnly(true);
        assertThat(failures).isEmpty();
    }

    @Test
    void aSymlinkNamedAsTheRootIsFollowedAndPathsStayUnderIt() throws Exception {
        Files.createDirectories(dir.resolve("real/sub"));
        Files.createFile(dir.resolve("real/sub/f"));
        Files.createSymbolicLink(dir.resolve("via"), dir.resolve("real"));

        FileWalk.regularFiles(dir.resolve("via"), visitor);

        assertThat(files).containsExactly("via/sub/f");
    }

    @Test
    void anUnreadableDirectoryIsReportedAndTheWalkGoesOn() throws Exception {
        Files.createDirectories(dir.resolve("t/locked"));
        Files.createFile(dir.resolve("t/locked/hidden"));
        Files.createFile(dir.resolve("t/seen"));
        Files.setPosixFilePermissions(dir.resolve("t/locked"), PosixFilePermissions.fromString("---------"));
        try {
            FileWalk.regularFiles(dir.resolve("t"), visitor);
        } finally {
            Files.setPosixFilePermissions(dir.resolve("t/locked"), PosixFilePermissions.fromString("rwx------"));
        }
        assertThat(files).contains("t/seen");
        if (Libc.getuid() != 0) { // root reads it anyway
            assertThat(files).containsExactly("t/seen");
            assertThat(failures).containsExactly(dir.resolve("t/locked") + ": cannot list the directory: permission denied");
        }
    }

    @Test
    void withoutRecursionPathsAreTakenAsTheyAre() {
        FileWalk.expand(List.of(dir.resolve("a"), dir.resolve("b")), false, null, visitor);
        // Named paths are not walked and are followed if symlinks.
        assertThat(files).containsExactly("a", "b");
        assertThat(walked).containsOnly(false);
    }
}
