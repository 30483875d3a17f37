package dev.strata.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Widens the kernel's read-ahead window of a mounted FUSE connection.
 *
 * <p>Why: the kernel gives every FUSE mount a backing-device read-ahead of 128 KiB, and INIT can
 * only lower it (fs/fuse/inode.c takes the minimum of the bdi's value and ours). Without
 * passthrough, a sequential reader then gets one 128 KiB READ at a time, although READs of up to
 * {@link InitNegotiation#MAX_PAGES} pages (1 MiB) are negotiated: measured here, a cold 1 GiB read
 * went from about 400 MiB/s to about 700-1000 MiB/s with a window of 1-4 MiB. The window is the
 * connection's bdi, {@code /sys/class/bdi/MAJOR:MINOR/read_ahead_kb}, writable by root only;
 * unprivileged mounts keep the kernel's default. With passthrough the backing file's own
 * read-ahead applies and this changes nothing.
 */
final class ReadAhead {
    private static final Logger LOG = LoggerFactory.getLogger(ReadAhead.class);

    /** Four maximal READs in flight. */
    static final int WINDOW_KIB = 4 * InitNegotiation.MAX_PAGES * 4;

    private ReadAhead() {}

    /** Raises the read-ahead of the FUSE mount at {@code mountpoint} to {@link #WINDOW_KIB}; never throws. */
    static void widen(Path mountpoint) {
        Optional<String> device;
        try {
            device = device(Files.readString(MountTable.MOUNTINFO, StandardCharsets.UTF_8),
                    mountpoint.toAbsolutePath().normalize().toString());
        } catch (IOException e) {
            LOG.info("read-ahead left at the kernel's default: cannot read {}: {}", MountTable.MOUNTINFO, e.getMessage());
            return;
        }
        if (device.isEmpty()) {
            LOG.info("read-ahead left at the kernel's default: {} is not in {}", mountpoint, MountTable.MOUNTINFO);
            return;
        }
        Path knob = Path.of("/sys/class/bdi", device.get(), "read_ahead_kb");
        try {
            int current = Integer.parseInt(Files.readString(knob, StandardCharsets.US_ASCII).strip());
            if (current >= WINDOW_KIB) {
                return;
            }
            Files.writeString(knob, WINDOW_KIB + "\n", StandardCharsets.US_ASCII);
            LOG.info("read-ahead of {} raised from {} KiB to {} KiB", mountpoint, current, WINDOW_KIB);
        } catch (IOException | NumberFormatException e) {
            // Expected without root: sysfs knobs are root's.
            LOG.info("read-ahead left at the kernel's default ({} not writable: {})", knob, e.toString());
        }
    }

    /** The "major:minor" of the topmost mount at {@code mountPoint} in mountinfo text. */
    static Optional<String> device(String mountinfo, String mountPoint) {
        String found = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 4 && MountTable.unescape(f[4]).equals(mountPoint) && f[2].matches("\\d+:\\d+")) {
                found = f[2]; // later lines are mounted on top of earlier ones
            }
        }
        return Optional.ofNullable(found);
    }
}
