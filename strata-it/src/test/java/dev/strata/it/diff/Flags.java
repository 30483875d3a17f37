package dev.strata.it.diff;

import dev.strata.nativeio.Libc;
import java.util.StringJoiner;

/** open(2) flags as the Java expression that makes them, for printed sequences. */
final class Flags {
    private Flags() {}

    static String open(int flags) {
        StringJoiner j = new StringJoiner(" | ");
        j.add(switch (flags & Libc.O_ACCMODE) {
            case Libc.O_WRONLY -> "Libc.O_WRONLY";
            case Libc.O_RDWR -> "Libc.O_RDWR";
            default -> "Libc.O_RDONLY";
        });
        int[] bits = {Libc.O_CREAT, Libc.O_EXCL, Libc.O_TRUNC, Libc.O_APPEND, Libc.O_DIRECTORY, Libc.O_NOFOLLOW};
        String[] names = {"Libc.O_CREAT", "Libc.O_EXCL", "Libc.O_TRUNC", "Libc.O_APPEND", "Libc.O_DIRECTORY",
            "Libc.O_NOFOLLOW"};
        int rest = flags & ~Libc.O_ACCMODE;
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                j.add(names[i]);
                rest &= ~bits[i];
            }
        }
        if (rest != 0) {
            j.add("0" + Integer.toOctalString(rest));
        }
        return j.toString();
    }
}
