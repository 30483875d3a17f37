package dev.strata.fuse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mounts of this process's mount namespace, from /proc/self/mountinfo. */
final class MountTable {
    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /** One line: where, what type, from what source. */
    record Mount(String mountPoint, String fsType, String source) {
        boolean isFuse() {
            return fsType.equals("fuse") || fsType.startsWith("fuse.");
        }
    }

    private MountTable() {}

    static List<Mount> read() {
        try {
            return parse(Files.readString(MOUNTINFO, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
    }

    /** The topmost mount at exactly {@code path}, if any. */
    static Optional<Mount> at(Path path) {
        String p = path.toAbsolutePath().normalize().toString();
        Mount found = null;
        for (Mount m : read()) {
            if (m.mountPoint().equals(p)) {
                found = m; // later lines are mounted on top of earlier ones
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Parses mountinfo: "id parent major:minor root mountpoint options [optional...] - fstype source
     * superoptions", with blanks, tabs, newlines and backslashes in paths escaped as octal.
     */
    static List<Mount> parse(String text) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
                continue; // not a line we understand; ignoring it only hides a mount from our checks
            }
            mounts.add(new Mount(unescape(f[4]), f[dash + 1], unescape(f[dash + 2])));
        }
        return mounts;
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\\' && i + 3 < in.length && isOctal(in[i + 1]) && isOctal(in[i + 2]) && isOctal(in[i + 3])) {
                out[n++] = (byte) (((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) | (in[i + 3] - '0'));
                i += 3;
            } else {
                out[n++] = in[i];
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }
}
