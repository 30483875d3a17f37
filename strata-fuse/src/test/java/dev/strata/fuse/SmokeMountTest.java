package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SmokeMountTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void mountsWritesAndReads() throws Exception {
        try (MountFixture m = MountFixture.mount(dir, new MemFs(), MountFixture.config(dir).withDebug(true))) {
            Files.writeString(m.path("hello"), "hello world");
            assertThat(Files.readString(m.path("hello"))).isEqualTo("hello world");
            assertThat(MountFixture.run(dir, "ls", "-la", dir.toString()).output()).contains("hello");
        }
    }
}
