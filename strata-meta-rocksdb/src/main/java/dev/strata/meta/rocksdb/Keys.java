package dev.strata.meta.rocksdb;

import dev.strata.core.Name;
import dev.strata.core.meta.Mark;
import dev.strata.core.meta.RecordSpace;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The key layout of the metadata store. Every key starts with one tag byte that names the record
 * kind; numbers are 8-byte big-endian, so that RocksDB's bytewise (unsigned) order is numeric order
 * for the non-negative inode numbers and cookies Strata uses. The layout is documented with the
 * store in {@link RocksDbMetadataStore}.
 */
final class Keys {
    static final byte FORMAT = 'F';
    static final byte STATS = 'S';
    static final byte INODE = 'I';
    static final byte ENTRY = 'D';
    static final byte COOKIE = 'C';
    static final byte XATTR = 'X';
    static final byte COUNTER = 'N';
    static final byte MARK = 'M';
    static final byte LINK = 'L';
    static final byte RECORD = 'R';

    static final int LONG_BYTES = Long.BYTES;
    /** Tag plus one number: the length of an inode key and of the prefix shared by a directory's keys. */
    static final int TAG_AND_LONG = 1 + LONG_BYTES;

    private static final byte[] FORMAT_KEY = {FORMAT};
    private static final byte[] INODE_COUNT_KEY = "Sinodes".getBytes(StandardCharsets.US_ASCII);

    private Keys() {}

    static byte[] format() {
        return FORMAT_KEY.clone();
    }

    static byte[] inodeCount() {
        return INODE_COUNT_KEY.clone();
    }

    static byte[] inode(long ino) {
        return tagAndLong(INODE, ino);
    }

    static byte[] entry(long parent, Name name) {
        byte[] raw = name.unsafeBytes();
        byte[] key = Arrays.copyOf(tagAndLong(ENTRY, parent), TAG_AND_LONG + raw.length);
        System.arraycopy(raw, 0, key, TAG_AND_LONG, raw.length);
        return key;
    }

    static byte[] cookie(long parent, long cookie) {
        byte[] key = Arrays.copyOf(tagAndLong(COOKIE, parent), TAG_AND_LONG + LONG_BYTES);
        putLong(key, TAG_AND_LONG, cookie);
        return key;
    }

    /** The prefix of all readdir-index keys of one directory. */
    static byte[] cookiePrefix(long parent) {
        return tagAndLong(COOKIE, parent);
    }

    static byte[] xattr(long ino, byte[] name) {
        byte[] key = Arrays.copyOf(tagAndLong(XATTR, ino), TAG_AND_LONG + name.length);
        System.arraycopy(name, 0, key, TAG_AND_LONG, name.length);
        return key;
    }

    static byte[] xattrPrefix(long ino) {
        return tagAndLong(XATTR, ino);
    }

    static byte[] counter(String name) {
        byte[] raw = name.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[1 + raw.length];
        key[0] = COUNTER;
        System.arraycopy(raw, 0, key, 1, raw.length);
        return key;
    }

    static byte[] mark(Mark mark, long ino) {
        byte[] key = new byte[2 + LONG_BYTES];
        key[0] = MARK;
        key[1] = markCode(mark);
        putLong(key, 2, ino);
        return key;
    }

    static byte[] markPrefix(Mark mark) {
        return new byte[] {MARK, markCode(mark)};
    }

    /**
     * Stable one-byte codes for marks, independent of the enum's declaration order, so that adding
     * a mark or reordering the enum never reinterprets stored keys.
     */
    static byte markCode(Mark mark) {
        return switch (mark) {
            case ORPHAN -> 'O';
            case OPEN_FOR_WRITE -> 'W';
            case DIRTY -> 'Y';
        };
    }

    /** The reverse-index key of one name of {@code ino}: tag, inode, parent, name bytes. */
    static byte[] link(long ino, long parent, Name name) {
        byte[] raw = name.unsafeBytes();
        byte[] key = new byte[TAG_AND_LONG + LONG_BYTES + raw.length];
        key[0] = LINK;
        putLong(key, 1, ino);
        putLong(key, TAG_AND_LONG, parent);
        System.arraycopy(raw, 0, key, TAG_AND_LONG + LONG_BYTES, raw.length);
        return key;
    }

    static byte[] linkPrefix(long ino) {
        return tagAndLong(LINK, ino);
    }

    static byte[] record(RecordSpace space, long id) {
        byte[] key = new byte[2 + LONG_BYTES];
        key[0] = RECORD;
        key[1] = space.code();
        putLong(key, 2, id);
        return key;
    }

    static byte[] recordPrefix(RecordSpace space) {
        return new byte[] {RECORD, space.code()};
    }

    /** The smallest key greater than every key that starts with {@code prefix}: the scan's upper bound. */
    static byte[] upperBound(byte[] prefix) {
        byte[] bound = prefix.clone();
        for (int i = bound.length - 1; i >= 0; i--) {
            if (bound[i] != (byte) 0xFF) {
                bound[i]++;
                return Arrays.copyOf(bound, i + 1);
            }
        }
        throw new IllegalArgumentException("prefix of only 0xFF bytes has no upper bound: " + HexFormat.of().formatHex(prefix));
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The number at {@code offset}; used to decode inode numbers and cookies from keys. */
    static long getLong(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < LONG_BYTES; i++) {
            v = (v << 8) | (b[offset + i] & 0xFF);
        }
        return v;
    }

    static void putLong(byte[] b, int offset, long v) {
        for (int i = LONG_BYTES - 1; i >= 0; i--) {
            b[offset + i] = (byte) v;
            v >>>= 8;
        }
    }

    /** The suffix after tag and number: a name in an entry key, an attribute name in an xattr key. */
    static byte[] tail(byte[] key) {
        return Arrays.copyOfRange(key, TAG_AND_LONG, key.length);
    }

    /**
     * Words for a key in error messages ("inode 42", "entry 'a' in directory 1"), so that a
     * corruption report names the record an operator can look for.
     */
    static String describe(byte[] key) {
        if (key.length == 0) {
            return "empty key";
        }
        try {
            return switch (key[0]) {
                case FORMAT -> "the store's format record";
                case STATS -> "statistics record '" + new String(key, 1, key.length - 1, StandardCharsets.UTF_8) + "'";
                case INODE -> "inode " + getLong(key, 1);
                case ENTRY -> "entry '" + printable(tail(key)) + "' in directory " + getLong(key, 1);
                case COOKIE -> "readdir index of directory " + getLong(key, 1) + " at cookie " + getLong(key, TAG_AND_LONG);
                case XATTR -> "xattr '" + printable(tail(key)) + "' of inode " + getLong(key, 1);
                case COUNTER -> "counter '" + new String(key, 1, key.length - 1, StandardCharsets.UTF_8) + "'";
                case MARK -> "mark '" + (char) key[1] + "' of inode " + getLong(key, 2);
                case LINK -> "name index of inode " + getLong(key, 1) + " in directory " + getLong(key, TAG_AND_LONG);
                case RECORD -> "record " + getLong(key, 2) + " of space '" + (char) key[1] + "'";
                default -> "key " + HexFormat.of().formatHex(key);
            };
        } catch (ArrayIndexOutOfBoundsException e) {
            // A key too short for its tag is itself a sign of corruption; show it raw.
            return "malformed key " + HexFormat.of().formatHex(key);
        }
    }

    private static String printable(byte[] raw) {
        StringBuilder s = new StringBuilder();
        for (byte b : raw) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.toString();
    }

    private static byte[] tagAndLong(byte tag, long v) {
        byte[] key = new byte[TAG_AND_LONG];
        key[0] = tag;
        putLong(key, 1, v);
        return key;
    }
}
