package dev.strata.core;

/** The file types of POSIX, with their S_IFMT bits and the DT_* values readdir reports. */
public enum FileType {
    REGULAR(0100000, 8),
    DIRECTORY(0040000, 4),
    SYMLINK(0120000, 10),
    FIFO(0010000, 1),
    CHAR_DEVICE(0020000, 2),
    BLOCK_DEVICE(0060000, 6),
    SOCKET(0140000, 12);

    public static final int S_IFMT = 0170000;

    private final int modeBits;
    private final int direntType;

    FileType(int modeBits, int direntType) {
        this.modeBits = modeBits;
        this.direntType = direntType;
    }

    /** The S_IFMT bits of this type. */
    public int modeBits() {
        return modeBits;
    }

    /** The d_type value (DT_REG, DT_DIR, ...). */
    public int direntType() {
        return direntType;
    }

    /** The type encoded in a st_mode value. */
    public static FileType fromMode(int mode) throws FsException {
        int fmt = mode & S_IFMT;
        for (FileType t : values()) {
            if (t.modeBits == fmt) {
                return t;
            }
        }
        throw new FsException.InvalidArgument("unknown file type bits 0" + Integer.toOctalString(fmt));
    }
}
