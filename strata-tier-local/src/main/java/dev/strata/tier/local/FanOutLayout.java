package dev.strata.tier.local;

import java.nio.file.Path;

/**
 * Where each inode's data lives under the data root, layout version 1:
 * <pre>
 *   &lt;root&gt;/LAYOUT                       "strata fast-tier data, layout 1 ..." (see {@link #MARKER_TEXT})
 *   &lt;root&gt;/CLOCK                        empty; its times are the engine's clock (see {@link FileSystemClock})
 *   &lt;root&gt;/&lt;ino &amp; 0xff, 2 hex digits&gt;/&lt;ino, 16 hex digits&gt;
 *   e.g. inode 0x1234 -> &lt;root&gt;/34/0000000000001234
 * </pre>
 * Why the low byte: inode numbers are handed out in sequence, so the low byte spreads files evenly
 * over the {@value #DIRECTORIES} directories at any size, where a high-order prefix would put a
 * young file system's files all in one. With ext4's hashed directories a directory stays fast into
 * the millions of entries, so one level serves several hundred million files; a second level would
 * be layout 2. Fixed-width names sort in inode order, which keeps a scan of one directory readable.
 */
final class FanOutLayout {
    static final int DIRECTORIES = 256;
    static final int LAYOUT_VERSION = 1;
    static final String MARKER_NAME = "LAYOUT";
    static final String MARKER_TEXT = "strata fast-tier data, layout " + LAYOUT_VERSION
            + ": <root>/<ino & 0xff as %02x>/<ino as %016x>, one sparse file per inode\n";

    private final Path root;
    private final Path[] directories = new Path[DIRECTORIES];

    FanOutLayout(Path root) {
        this.root = root;
        for (int i = 0; i < DIRECTORIES; i++) {
            directories[i] = root.resolve(directoryName(i));
        }
    }

    Path root() {
        return root;
    }

    Path marker() {
        return root.resolve(MARKER_NAME);
    }

    static int directoryOf(long ino) {
        return (int) (ino & (DIRECTORIES - 1));
    }

    Path directory(int index) {
        return directories[index];
    }

    /** The file of {@code ino}; inode numbers are unsigned 64-bit, so all 64 bits are printed. */
    Path fileOf(long ino) {
        return directories[directoryOf(ino)].resolve(String.format("%016x", ino));
    }

    static String directoryName(int index) {
        return String.format("%02x", index);
    }
}
