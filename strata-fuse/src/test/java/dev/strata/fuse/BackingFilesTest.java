package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.fs.Opened;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackingFilesTest {
    private final List<String> calls = new ArrayList<>();
    private int nextId = 1;
    private int failWith;

    private final BackingFiles b = new BackingFiles(new BackingFiles.Registrar() {
        @Override
        public int open(int fd) {
            calls.add("open " + fd);
            return failWith != 0 ? -failWith : nextId++;
        }

        @Override
        public int close(int id) {
            calls.add("close " + id);
            return 0;
        }
    });

    @Test
    void oneBackingIdPerInodeSharedByItsHandles() {
        assertThat(b.opened(10, new Opened(1, 50, false))).isEqualTo(new BackingFiles.Decision(128, 1));
        assertThat(b.opened(10, new Opened(2, 51, true)))
                .as("same id, and never KEEP_CACHE with passthrough").isEqualTo(new BackingFiles.Decision(128, 1));
        assertThat(b.opened(10, new Opened(3, -1, false)))
                .as("a backed inode needs passthrough on every open").isEqualTo(new BackingFiles.Decision(128, 1));
        b.released(10, 1);
        b.released(10, 2);
        assertThat(calls).containsExactly("open 50");
        b.released(10, 3);
        assertThat(calls).containsExactly("open 50", "close 1");
        assertThat(b.trackedHandles()).isZero();
    }

    @Test
    void cachedHandlesKeepAnInodeOutOfPassthrough() {
        assertThat(b.opened(20, new Opened(1, -1, true))).isEqualTo(new BackingFiles.Decision(2, 0));
        assertThat(b.opened(20, new Opened(2, 60, false))).isEqualTo(new BackingFiles.Decision(0, 0));
        assertThat(calls).isEmpty();
        b.released(20, 1);
        b.released(20, 2);
        assertThat(b.opened(20, new Opened(3, 61, false))).isEqualTo(new BackingFiles.Decision(128, 1));
    }

    @Test
    void aFailedRegistrationDisablesPassthroughForTheSession() {
        failWith = 1; // EPERM
        assertThat(b.opened(30, new Opened(1, 70, false))).isEqualTo(new BackingFiles.Decision(0, 0));
        assertThat(b.disabled()).isTrue();
        failWith = 0;
        assertThat(b.opened(31, new Opened(2, 71, false))).isEqualTo(new BackingFiles.Decision(0, 0));
        assertThat(calls).containsExactly("open 70");
        b.released(30, 1);
        b.released(31, 2);
        b.released(99, 99); // unknown handles are ignored
        assertThat(b.trackedHandles()).isZero();
    }
}
