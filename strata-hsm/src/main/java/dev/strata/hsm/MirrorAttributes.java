package dev.strata.hsm;

import dev.strata.core.FileType;
import dev.strata.core.Timespec;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * POSIX attributes as object metadata, in the names Amazon FSx for Lustre (and Amazon File Cache)
 * read and write, so a bucket Strata mirrors into keeps owners and modes for those tools and the
 * other way round:
 * <ul>
 *   <li>{@value #PERMISSIONS}: st_mode in octal with the file-type bits, e.g. {@code 0100644};</li>
 *   <li>{@value #OWNER}, {@value #GROUP}: uid and gid in decimal;</li>
 *   <li>{@value #MTIME}: nanoseconds since the epoch with an {@code ns} suffix, e.g.
 *       {@code 1700000000123456789ns}.</li>
 * </ul>
 * plus Strata's own {@value #INO}, {@value #GEN} (the HSM data generation the object holds) and
 * {@value #CRC32C} (the whole object's CRC32C as 8 lower-case hex digits). All names follow the
 * {@code ObjectStore} port's rules (lower-case, digits, '-'); adapters add {@code x-amz-meta-} or
 * map to Azure's identifiers.
 *
 * <p>Decoding is tolerant because the bucket is shared with other tools: a missing value takes the
 * caller's default, a malformed one too and is counted ({@link #malformedValues()}) and named in
 * {@link Decoded#malformed()}, so import can report it without refusing the object. Set-user-ID and
 * set-group-ID bits are dropped on import unless the caller asks to keep them (FSx for Lustre does
 * not import them either): anyone who can write to the bucket could otherwise plant a setuid-root
 * program in the file system.
 */
public final class MirrorAttributes {
    public static final String PERMISSIONS = "file-permissions";
    public static final String OWNER = "file-owner";
    public static final String GROUP = "file-group";
    public static final String MTIME = "file-mtime";
    public static final String INO = "strata-ino";
    public static final String GEN = "strata-gen";
    public static final String CRC32C = "strata-crc32c";

    private static final int SET_ID_BITS = 06000;
    private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /**
     * The attributes that travel with an object.
     *
     * @param mode st_mode with the type bits
     * @param uid unsigned 32-bit, as {@code Attr} holds it
     * @param gid unsigned 32-bit
     */
    public record Posix(int mode, int uid, int gid, Timespec mtime) {
        public Posix {
            Objects.requireNonNull(mtime, "mtime");
        }
    }

    /**
     * What Strata records about its own copy; absent on objects others wrote.
     *
     * @param generation the HSM data generation the object holds
     */
    public record Identity(long ino, long generation, int crc32c) {}

    /**
     * Values for what an object does not say or says badly.
     *
     * @param filePermissions permission bits of files without usable {@value #PERMISSIONS}, e.g. 0644
     * @param dirPermissions the same for directories, e.g. 0755
     * @param uid the owner to assume (typically the mount's owner)
     * @param gid the group to assume
     * @param keepSetIdBits whether to keep setuid/setgid from the bucket (trusted buckets only)
     */
    public record Defaults(int filePermissions, int dirPermissions, int uid, int gid, boolean keepSetIdBits) {
        public Defaults {
            if ((filePermissions & ~07777) != 0 || (dirPermissions & ~07777) != 0) {
                throw new IllegalArgumentException("default permissions carry more than permission bits: 0"
                        + Integer.toOctalString(filePermissions) + ", 0" + Integer.toOctalString(dirPermissions));
            }
        }
    }

    /**
     * Attributes decoded from an object's metadata.
     *
     * @param malformed the names whose values were present but unusable (defaults were used)
     */
    public record Decoded(FileType type, int mode, int uid, int gid, Timespec mtime, OptionalLong ino,
            OptionalLong generation, OptionalInt crc32c, List<String> malformed) {
        public Decoded {
            malformed = List.copyOf(malformed);
        }
    }

    private final Defaults defaults;
    private final LongAdder malformedValues = new LongAdder();

    public MirrorAttributes(Defaults defaults) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    /** Metadata for an object Strata writes; {@code identity} may be null for markers and symlinks. */
    public static Map<String, String> encode(Posix attrs, Identity identity) {
        Map<String, String> md = new LinkedHashMap<>();
        md.put(PERMISSIONS, "0" + Integer.toOctalString(attrs.mode() & 0177777));
        md.put(OWNER, Integer.toUnsignedString(attrs.uid()));
        md.put(GROUP, Integer.toUnsignedString(attrs.gid()));
        md.put(MTIME, epochNanos(attrs.mtime()) + "ns");
        if (identity != null) {
            md.put(INO, Long.toUnsignedString(identity.ino()));
            md.put(GEN, Long.toString(identity.generation()));
            md.put(CRC32C, String.format(Locale.ROOT, "%08x", identity.crc32c()));
        }
        return md;
    }

    /**
     * Decodes what {@code metadata} says (names matched case-insensitively).
     *
     * @param directoryKey whether the object is a directory marker (its key ends in '/'), which
     *     decides the type when {@value #PERMISSIONS} is missing or contradicts it
     * @param lastModified the object's time, used when {@value #MTIME} is missing or malformed
     */
    public Decoded decode(Map<String, String> metadata, boolean directoryKey, Instant lastModified) {
        Map<String, String> md = new HashMap<>();
        metadata.forEach((k, v) -> md.put(k.toLowerCase(Locale.ROOT), v));
        List<String> malformed = new ArrayList<>();

        FileType keyType = directoryKey ? FileType.DIRECTORY : FileType.REGULAR;
        int defaultPerms = directoryKey ? defaults.dirPermissions() : defaults.filePermissions();
        int mode = keyType.modeBits() | defaultPerms;
        FileType type = keyType;
        String perms = md.get(PERMISSIONS);
        if (perms != null) {
            int parsed = parseMode(perms);
            FileType parsedType = parsed < 0 ? null : typeFor(parsed, directoryKey);
            if (parsedType == null) {
                malformed.add(PERMISSIONS);
            } else {
                type = parsedType;
                mode = parsedType.modeBits() | (parsed & 07777);
            }
        }
        if (!defaults.keepSetIdBits()) {
            mode &= ~SET_ID_BITS;
        }

        int uid = parseId(md.get(OWNER), defaults.uid(), OWNER, malformed);
        int gid = parseId(md.get(GROUP), defaults.gid(), GROUP, malformed);
        Timespec mtime = new Timespec(lastModified.getEpochSecond(), lastModified.getNano());
        String mtimeText = md.get(MTIME);
        if (mtimeText != null) {
            Timespec parsed = parseMtime(mtimeText);
            if (parsed == null) {
                malformed.add(MTIME);
            } else {
                mtime = parsed;
            }
        }
        OptionalLong ino = parseLong(md.get(INO), 1, -1L, INO, malformed);
        OptionalLong gen = parseLong(md.get(GEN), 0, Long.MAX_VALUE, GEN, malformed);
        OptionalInt crc = OptionalInt.empty();
        String crcText = md.get(CRC32C);
        if (crcText != null) {
            if (crcText.length() == 8 && crcText.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80)) {
                crc = OptionalInt.of(Integer.parseUnsignedInt(crcText, 16));
            } else {
                malformed.add(CRC32C);
            }
        }
        malformedValues.add(malformed.size());
        return new Decoded(type, mode, uid, gid, mtime, ino, gen, crc, malformed);
    }

    /** How many malformed values all decodes so far have met, for a metric. */
    public long malformedValues() {
        return malformedValues.sum();
    }

    static String epochNanos(Timespec t) {
        return BigInteger.valueOf(t.seconds()).multiply(NANOS_PER_SECOND).add(BigInteger.valueOf(t.nanos())).toString();
    }

    /** An octal st_mode, optionally with leading zeros ("0100644", "100644", "644"); -1 if malformed. */
    private static int parseMode(String text) {
        if (text.isEmpty() || text.length() > 12) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '7') {
                return -1;
            }
            value = value * 8 + (c - '0');
        }
        return value <= 0177777 ? value : -1;
    }

    /** The type the mode gives, if it fits the key's form; a mode without type bits takes the key's. */
    private static FileType typeFor(int mode, boolean directoryKey) {
        int fmt = mode & FileType.S_IFMT;
        if (fmt == 0) {
            return directoryKey ? FileType.DIRECTORY : FileType.REGULAR;
        }
        if (directoryKey) {
            return fmt == FileType.DIRECTORY.modeBits() ? FileType.DIRECTORY : null;
        }
        if (fmt == FileType.REGULAR.modeBits()) {
            return FileType.REGULAR;
        }
        // A symlink is an object whose content is the target, as FSx for Lustre exports it. Other
        // types (devices, FIFOs, sockets) are not imported from a bucket: their object says nothing
        // a file system could use, so they become regular files with the default mode.
        return fmt == FileType.SYMLINK.modeBits() ? FileType.SYMLINK : null;
    }

    private static int parseId(String text, int fallback, String name, List<String> malformed) {
        if (text == null) {
            return fallback;
        }
        if (!text.isEmpty() && text.length() <= 10 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            long v = Long.parseLong(text);
            if (v <= 0xFFFF_FFFFL) {
                return (int) v;
            }
        }
        malformed.add(name);
        return fallback;
    }

    /** "<integer>ns", the integer possibly negative (before 1970); null if malformed or out of range. */
    private static Timespec parseMtime(String text) {
        if (!text.endsWith("ns") || text.length() < 3 || text.length() > 40) {
            return null;
        }
        String digits = text.substring(0, text.length() - 2);
        int start = digits.startsWith("-") ? 1 : 0;
        if (start == digits.length() || !digits.substring(start).chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        BigInteger[] qr = new BigInteger(digits).divideAndRemainder(NANOS_PER_SECOND);
        BigInteger seconds = qr[0];
        BigInteger nanos = qr[1];
        if (nanos.signum() < 0) {
            seconds = seconds.subtract(BigInteger.ONE);
            nanos = nanos.add(NANOS_PER_SECOND);
        }
        if (seconds.compareTo(LONG_MIN) < 0 || seconds.compareTo(LONG_MAX) > 0) {
            return null;
        }
        return new Timespec(seconds.longValue(), nanos.intValue());
    }

    /**
     * A decimal number in {@code [min, max]} compared unsigned (inode numbers use all 64 bits,
     * generations are non-negative signed longs); empty if absent, empty and reported if malformed.
     */
    private static OptionalLong parseLong(String text, long min, long max, String name, List<String> malformed) {
        if (text == null) {
            return OptionalLong.empty();
        }
        if (!text.isEmpty() && text.length() <= 20 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                long v = Long.parseUnsignedLong(text);
                if (Long.compareUnsigned(v, min) >= 0 && Long.compareUnsigned(v, max) <= 0) {
                    return OptionalLong.of(v);
                }
            } catch (NumberFormatException e) {
                // beyond 64 bits: malformed
            }
        }
        malformed.add(name);
        return OptionalLong.empty();
    }
}
