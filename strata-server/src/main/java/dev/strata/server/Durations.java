package dev.strata.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations on the command line and in policies: a whole number with the unit s, m or h
 * ({@code 30s}, {@code 5m}, {@code 2h}), the form docs/CONTROL-XATTRS.md gives for
 * {@code max-dirty-age}. Policies store them normalised to seconds ({@code 300s}).
 */
final class Durations {
    private static final Pattern FORM = Pattern.compile("([0-9]{1,9})([smh])");
    /** Ten years: far beyond any sensible age or wait, and far from overflowing anything. */
    static final Duration MAX = Duration.ofDays(3650);

    private Durations() {}

    /** Parses {@code text} for {@code option}; zero and values above {@link #MAX} are refused. */
    static Duration parse(String option, String text) throws CliException {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new CliException(option + " takes a duration like 30s, 5m or 2h, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero() || d.compareTo(MAX) > 0) {
            throw new CliException(option + " must be between 1s and " + MAX.toHours() + "h, not '" + text + "'");
        }
        return d;
    }

    /** The policy form: whole seconds with the unit, {@code 300s}. */
    static String seconds(Duration d) {
        return d.toSeconds() + "s";
    }

    /** For messages: the largest unit that divides evenly, {@code 10m}, {@code 90s}. */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
