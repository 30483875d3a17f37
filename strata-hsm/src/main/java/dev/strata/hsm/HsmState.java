package dev.strata.hsm;

/**
 * Where a file's data lives, as users see it in {@code strata hsm state} (the names are Lustre's
 * {@code lfs hsm_state} vocabulary). The states carry no data of their own — generations, keys and
 * times are in {@link HsmRecord} — so an enum is enough, and a {@code switch} over it is exhaustive
 * just as over a sealed interface; it also gives {@link #values()} for per-state counters.
 *
 * <p>Each state has a stable one-byte code for {@link HsmRecordCodec}, independent of declaration
 * order.
 */
public enum HsmState {
    /** Data only on the fast tier and nothing asks for it to leave (new, or never archived by policy). */
    RESIDENT('R'),
    /** The fast tier holds changes the capacity tier has not got; carries {@code Mark.DIRTY}. */
    DIRTY('D'),
    /** A copy of the current generation is being uploaded; still carries {@code Mark.DIRTY}. */
    ARCHIVING('A'),
    /** The capacity tier holds a copy of the current data; the fast tier holds it too. */
    ARCHIVED('S'),
    /** Only the capacity tier holds the data; reads restore it or pass through to the bucket. */
    RELEASED('E'),
    /** No intact copy is reachable (the archived object is gone or fails its checksum). */
    LOST('L');

    private final byte code;

    HsmState(char code) {
        this.code = (byte) code;
    }

    byte code() {
        return code;
    }

    static HsmState ofCode(int code) {
        for (HsmState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }

    /** Whether the local data is newer than any archived copy, i.e. the inode belongs in {@code Mark.DIRTY}. */
    public boolean needsArchive() {
        return switch (this) {
            case DIRTY, ARCHIVING -> true;
            case RESIDENT, ARCHIVED, RELEASED, LOST -> false;
        };
    }

    /** Whether the fast tier holds the file's data. */
    public boolean dataLocal() {
        return switch (this) {
            case RESIDENT, DIRTY, ARCHIVING, ARCHIVED -> true;
            case RELEASED, LOST -> false;
        };
    }

    /** The lower-case name shown to users: {@code resident}, {@code dirty}, … */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
