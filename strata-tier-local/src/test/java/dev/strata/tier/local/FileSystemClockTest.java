package dev.strata.tier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.Clock;
import dev.strata.core.Timespec;
import dev.strata.core.data.LocalFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's clock and the data files' mtimes are in one order. */
class FileSystemClockTest {
    @TempDir
    Path root;

    @Test
    void aDataWriteAfterATimestampIsNeverDatedBeforeIt() throws Exception {
        try (LocalDiskDataStore store = LocalDiskDataStore.open(root); LocalFile f = store.open(5);
                Arena arena = Arena.ofConfined()) {
            Clock clock = store.clock();
            MemorySegment one = arena.allocate(1);
            Timespec last = clock.now();
            for (int i = 0; i < 2_000; i++) {
                Timespec before = clock.now();
                assertThat(before.isAfter(last) || before.equals(last)).as("the clock never goes back").isTrue();
                f.write(i, one); // the data file's mtime comes from the kernel, as with FUSE passthrough
                Timespec written = f.stat().mtime();
                assertThat(before.isAfter(written)).as("write %d: stamped %s, written %s", i, before, written).isFalse();
                last = before;
            }
        }
    }

    @Test
    void theScratchFileLivesInTheRootAndTheClockClosesWithTheStore() throws Exception {
        LocalDiskDataStore store = LocalDiskDataStore.open(root);
        Clock clock = store.clock();
        clock.now();
        assertThat(root.resolve(FileSystemClock.FILE_NAME)).isRegularFile();
        store.close();
        assertThatThrownBy(clock::now).isInstanceOf(IllegalStateException.class);
    }
}
