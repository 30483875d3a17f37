package dev.strata.hsm.tier;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How durable writes below a directory must be (docs/CONTROL-XATTRS.md): stored as the directory's
 * {@value #XATTR} attribute in the canonical text {@code durability=async max-dirty-age=300s}.
 *
 * @param maxDirtyAge for {@code async}: the recovery point, how old an unarchived change may get
 */
public record Policy(Durability durability, Duration maxDirtyAge) {
    public static final String XATTR = "user.strata.policy";
    /** What applies where no directory up to the root sets a policy. */
    public static final Policy DEFAULT = new Policy(Durability.ASYNC, Duration.ofMinutes(5));

    public enum Durability {
        /** Never leaves the fast tier. */
        SCRATCH,
        /** Archived in the background within {@code maxDirtyAge}. */
        ASYNC,
        /** close() and fsync() return after the data is committed in the capacity tier. */
        SYNC;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Policy {
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(maxDirtyAge, "maxDirtyAge");
        if (maxDirtyAge.isNegative() || maxDirtyAge.isZero()) {
            throw new IllegalArgumentException("max-dirty-age must be positive, not " + maxDirtyAge);
        }
    }

    /** The canonical text. */
    public String format() {
        return "durability=" + durability.label() + " max-dirty-age=" + maxDirtyAge.toSeconds() + "s";
    }

    /**
     * Parses {@code durability=D [max-dirty-age=N(s|m|h)]}; a missing age takes {@code fallback}'s.
     *
     * @throws IllegalArgumentException with a message naming what is wrong
     */
    public static Policy parse(String text, Policy fallback) {
        Durability d = null;
        Duration age = null;
        for (String part : text.trim().split("\\s+")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + part + "' is not key=value");
            }
            String key = part.substring(0, eq);
            String value = part.substring(eq + 1);
            switch (key) {
                case "durability" -> {
                    try {
                        d = Durability.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("durability must be scratch, async or sync, not '" + value + "'");
                    }
                }
                case "max-dirty-age" -> age = parseDuration(value);
                default -> throw new IllegalArgumentException("unknown policy key '" + key
                        + "' (known: durability, max-dirty-age)");
            }
        }
        if (d == null) {
            throw new IllegalArgumentException("a policy needs durability=scratch|async|sync");
        }
        return new Policy(d, age != null ? age : fallback.maxDirtyAge());
    }

    /** {@code 30s}, {@code 5m}, {@code 2h}; a positive whole number with a unit. */
    public static Duration parseDuration(String value) {
        if (value.length() < 2) {
            throw new IllegalArgumentException("duration '" + value + "' needs a number and a unit (s, m, h)");
        }
        char unit = value.charAt(value.length() - 1);
        long n;
        try {
            n = Long.parseLong(value.substring(0, value.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("duration '" + value + "' is not a whole number with a unit (s, m, h)");
        }
        if (n <= 0 || n > 10L * 365 * 24 * 3600) {
            throw new IllegalArgumentException("duration '" + value + "' must be positive and at most ten years");
        }
        return switch (unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("duration '" + value + "': unit must be s, m or h");
        };
    }
}
