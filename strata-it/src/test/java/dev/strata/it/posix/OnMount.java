package dev.strata.it.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.nativeio.ErrnoException;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/** Base of the per-area test classes: one mount per class, a fresh directory per test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnMount {
    PosixMount mount;

    /** Extra arguments of {@code strata mount}; none by default. */
    String[] mountArgs() {
        return new String[0];
    }

    @BeforeAll
    void mountOnce() throws IOException {
        mount = PosixMount.start(mountArgs());
    }

    @AfterAll
    void unmountOnce() {
        if (mount != null) {
            mount.close();
        }
    }

    /** A fresh, empty directory (mode 0777) on the mount named after the running test. */
    Path dir(TestInfo info) throws IOException {
        return mount.fresh(info.getTestMethod().orElseThrow().getName());
    }

    interface ErrnoCall {
        void run() throws Exception;
    }

    /** Asserts that {@code call} fails with exactly {@code errno}. */
    static void assertErrno(int errno, ErrnoCall call) {
        assertThatThrownBy(call::run).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).as(e.getMessage()).isEqualTo(errno));
    }
}
