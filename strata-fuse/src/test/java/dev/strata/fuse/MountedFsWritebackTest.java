package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link MountedFsTest} with the kernel's writeback cache (and so without passthrough). */
class MountedFsWritebackTest extends MountedFsTest {
    @Override
    FuseConfig config(Path mountpoint) {
        return super.config(mountpoint).withWritebackCache(FuseConfig.Toggle.ON).withPassthrough(FuseConfig.Toggle.OFF);
    }

    @Test
    void negotiatedWriteback() {
        assertThat(m.session.writebackCacheActive()).isTrue();
        assertThat(m.session.passthroughActive()).isFalse();
    }
}
