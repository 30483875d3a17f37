package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** FIFOs, device nodes and sockets made with mknod(2). */
class SpecialFileTest extends OnMount {

    @Test
    void aFifoPassesDataFromAWriterToAReader(TestInfo info) throws Exception {
        Path fifo = dir(info).resolve("pipe");
        Posix.mkfifo(fifo, 0644);
        Libc.Statx st = Libc.stat(fifo, true);
        assertThat(st.mode() & Posix.S_IFMT).isEqualTo(Posix.S_IFIFO);
        assertThat(st.mode() & 07777).isEqualTo(0644 & ~umask());
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Files.writeString(fifo, "through the pipe");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(Files.readString(fifo)).isEqualTo("through the pipe");
        writer.get(30, TimeUnit.SECONDS);
        assertThat(Libc.stat(fifo, true).size()).isZero();
    }

    @Test
    void deviceNodesKeepTheirTypeAndNumbers(TestInfo info) throws IOException {
        Path d = dir(info);
        Posix.mknod(d.resolve("null"), Posix.S_IFCHR | 0666, Posix.makedev(1, 3));
        Posix.mknod(d.resolve("loop"), Posix.S_IFBLK | 0660, Posix.makedev(7, 300));
        Libc.Statx c = Libc.stat(d.resolve("null"), true);
        assertThat(c.mode() & Posix.S_IFMT).isEqualTo(Posix.S_IFCHR);
        assertThat(c.rdevMajor()).isEqualTo(1);
        assertThat(c.rdevMinor()).isEqualTo(3);
        Libc.Statx b = Libc.stat(d.resolve("loop"), true);
        assertThat(b.mode() & Posix.S_IFMT).isEqualTo(Posix.S_IFBLK);
        assertThat(b.rdevMajor()).isEqualTo(7);
        assertThat(b.rdevMinor()).isEqualTo(300);
        // Strata mounts with nodev (as FUSE mounts by other users must be): the node exists, but
        // opening it is refused.
        assertErrno(Posix.EACCES, () -> Libc.open(d.resolve("null"), Libc.O_RDONLY, 0));
    }

    @Test
    void mknodMakesFifosSocketsAndEmptyRegularFiles(TestInfo info) throws IOException {
        Path d = dir(info);
        Posix.mknod(d.resolve("fifo"), Posix.S_IFIFO | 0600, 0);
        Posix.mknod(d.resolve("sock"), 0140000 | 0600, 0);
        Posix.mknod(d.resolve("file"), 0100000 | 0600, 0);
        assertThat(Libc.stat(d.resolve("fifo"), true).mode() & Posix.S_IFMT).isEqualTo(Posix.S_IFIFO);
        assertThat(Libc.stat(d.resolve("sock"), true).mode() & Posix.S_IFMT).isEqualTo(0140000);
        assertThat(Files.isRegularFile(d.resolve("file"))).isTrue();
        assertThat(Files.size(d.resolve("file"))).isZero();
        Files.writeString(d.resolve("file"), "usable");
        assertThat(Files.readString(d.resolve("file"))).isEqualTo("usable");
        assertErrno(Posix.EEXIST, () -> Posix.mknod(d.resolve("fifo"), Posix.S_IFIFO | 0600, 0));
    }

    @Test
    void specialFilesCanBeRenamedAndRemoved(TestInfo info) throws IOException {
        Path d = dir(info);
        Posix.mkfifo(d.resolve("p"), 0600);
        Posix.mknod(d.resolve("c"), Posix.S_IFCHR | 0600, Posix.makedev(10, 200));
        Posix.rename(d.resolve("p"), d.resolve("p2"));
        Posix.rename(d.resolve("c"), d.resolve("c2"));
        assertThat(Libc.stat(d.resolve("c2"), true).rdevMinor()).isEqualTo(200);
        Libc.unlink(d.resolve("p2"));
        Libc.unlink(d.resolve("c2"));
        assertThat(Posix.listRaw(d)).isEmpty();
    }

    private static int umask() {
        int old = Libc.umask(022);
        Libc.umask(old);
        return old;
    }
}
