package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link MountedFsTest} with every regular file in a real backing file served by kernel passthrough. */
class MountedFsPassthroughTest extends MountedFsTest {
    @Override
    MemFs fileSystem(Path backingDir) {
        return new MemFs(backingDir);
    }

    @Override
    FuseConfig config(Path mountpoint) {
        return super.config(mountpoint).withPassthrough(FuseConfig.Toggle.ON);
    }

    @Test
    void negotiatedPassthrough() {
        assertThat(m.session.passthroughActive()).isTrue();
        assertThat(m.session.writebackCacheActive()).isFalse();
    }

    @AfterEach
    void noDataRequestsReachedTheDaemon() {
        if (m != null && m.session.passthroughActive()) {
            assertThat(m.session.requests(Proto.READ)).isZero();
            assertThat(m.session.requests(Proto.WRITE)).isZero();
        }
    }
}
