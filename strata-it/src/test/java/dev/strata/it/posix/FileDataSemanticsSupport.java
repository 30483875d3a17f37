package dev.strata.it.posix;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Measurements of the fast tier's data directory, from outside the server. */
final class FileDataSemanticsSupport {
    private FileDataSemanticsSupport() {}

    /** Bytes the regular files under {@code dir} occupy on their device (st_blocks). */
    static long allocatedBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Libc.stat(p, true).blocks() * 512;
                } catch (ErrnoException e) {
                    if (e.errno() == Posix.ENOENT) {
                        return 0; // deleted while we walked
                    }
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
