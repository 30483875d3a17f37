package dev.strata.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One path component: 1 to 255 bytes, any byte except '/' and NUL, and neither "." nor "..".
 * Names are bytes, not strings, because POSIX names need not be valid UTF-8. Ordering is unsigned
 * lexicographic, which is also the on-disk key order of the metadata store.
 */
public final class Name implements Comparable<Name> {
    public static final int MAX_BYTES = 255;

    private final byte[] bytes;
    private final int hash;

    private Name(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** A checked name from raw bytes (copied). */
    public static Name of(byte[] raw) throws FsException {
        if (raw.length > MAX_BYTES) {
            throw new FsException.NameTooLong(raw.length + " bytes (at most " + MAX_BYTES + ")");
        }
        if (raw.length == 0) {
            throw new FsException.NoSuchEntry("empty name");
        }
        for (byte b : raw) {
            if (b == '/' || b == 0) {
                throw new FsException.InvalidArgument("name contains '/' or NUL");
            }
        }
        if (isDotOrDotDot(raw)) {
            throw new FsException.InvalidArgument("'.' and '..' are not entry names");
        }
        return new Name(raw.clone());
    }

    /** A checked name from a Java string, encoded as UTF-8. */
    public static Name of(String s) throws FsException {
        return of(s.getBytes(StandardCharsets.UTF_8));
    }

    /** For names read back from a store that checked them when they were written. */
    public static Name trusted(byte[] raw) {
        return new Name(raw);
    }

    public static boolean isDotOrDotDot(byte[] raw) {
        return (raw.length == 1 && raw[0] == '.') || (raw.length == 2 && raw[0] == '.' && raw[1] == '.');
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes without copying; callers must not modify them. */
    public byte[] unsafeBytes() {
        return bytes;
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Name n && n.hash == hash && Arrays.equals(n.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Name o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** The name as UTF-8 with invalid sequences replaced: for messages and logs only. */
    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
