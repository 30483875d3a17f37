package dev.strata.hsm;

/**
 * A lifecycle command that does not apply to the file's current state — an operating condition a
 * user can act on, not a bug. The message is meant to be printed as is by the CLI and the admin API
 * ({@code strata hsm release f: not archived: dirty}).
 */
public abstract sealed class HsmRefusal extends Exception {
    private final HsmState state;

    private HsmRefusal(HsmState state, String message) {
        super(message, null, false, false);
        this.state = state;
    }

    /** The state the file was in. */
    public final HsmState state() {
        return state;
    }

    /** Release needs an archived copy of the current data. */
    public static final class NotArchived extends HsmRefusal {
        public NotArchived(HsmState state) { super(state, "not archived: " + state.label()); }
    }

    /** Restore applies only to released files. */
    public static final class NotReleased extends HsmRefusal {
        public NotReleased(HsmState state) { super(state, "not released: " + state.label()); }
    }

    /** Archive needs local data that is not already archived (released, lost, archived files have none to send). */
    public static final class CannotArchive extends HsmRefusal {
        public CannotArchive(HsmState state) { super(state, "cannot archive: " + state.label()); }
    }

    /** An archive result arrived for a file with no archive in flight (e.g. it was lost meanwhile). */
    public static final class NotArchiving extends HsmRefusal {
        public NotArchiving(HsmState state) { super(state, "no archive in flight: " + state.label()); }
    }

    /** The caller named a data generation the file no longer has (it read the record before a change). */
    public static final class StaleGeneration extends HsmRefusal {
        public StaleGeneration(HsmState state, long asked, long current) {
            super(state, "stale generation " + asked + " (file is at " + current + ")");
        }
    }
}
