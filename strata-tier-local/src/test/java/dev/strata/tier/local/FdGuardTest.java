package dev.strata.tier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdGuardTest {
    @TempDir
    Path dir;

    @Test
    void closeWaitsForTheCallInFlight() throws Exception {
        int fd = Libc.open(dir.resolve("f"), Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
        FdGuard guard = new FdGuard(fd);
        assertThat(guard.acquire("f")).isEqualTo(fd);
        guard.close();
        assertThat(guard.isClosed()).isTrue();
        assertThat(Libc.fstat(fd).size()).as("still open while a call runs").isZero();
        assertThatThrownBy(() -> guard.acquire("f")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after close");
        guard.release();
        assertThatThrownBy(() -> Libc.fstat(fd)).isInstanceOf(ErrnoException.class).hasMessageContaining("EBADF");
        guard.close();
    }

    @Test
    void closeWithNothingInFlightClosesAtOnce() throws Exception {
        int fd = Libc.open(dir.resolve("g"), Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
        FdGuard guard = new FdGuard(fd);
        guard.acquire("g");
        guard.release();
        guard.close();
        assertThatThrownBy(() -> Libc.fstat(fd)).isInstanceOf(ErrnoException.class);
        assertThatThrownBy(() -> guard.peek("g")).isInstanceOf(IllegalStateException.class);
    }
}
