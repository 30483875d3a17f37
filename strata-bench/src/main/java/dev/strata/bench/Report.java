package dev.strata.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Collects samples and prints them: one {@code sample} line per measurement as it is taken, then
 * {@code summary} and {@code ratio} lines (key=value, for scripts) and a table for people.
 *
 * <p>The ratio is median(target) / median(baseline). Both medians come from the same rounds, in
 * which the targets ran one after the other, so slow phases of a noisy machine hit both.
 */
final class Report {
    private final PrintStream out;
    private final List<String> targets;
    /** workload -> target -> samples, in insertion order. */
    private final Map<Workload, Map<String, List<Double>>> samples = new LinkedHashMap<>();

    Report(PrintStream out, List<String> targets) {
        this.out = out;
        this.targets = List.copyOf(targets);
    }

    void sample(int round, String target, Workload w, double value, String detail) {
        samples.computeIfAbsent(w, k -> new LinkedHashMap<>()).computeIfAbsent(target, k -> new ArrayList<>())
                .add(value);
        out.printf(Locale.ROOT, "sample round=%d target=%s workload=%s value=%.1f unit=%s%s%n", round, target,
                w.label, value, w.unit, detail.isEmpty() ? "" : " " + detail);
        out.flush();
    }

    /** Summary and ratio lines, then the table. */
    void finish() {
        String baseline = targets.getFirst();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"workload", "unit", baseline, "mount", "figure", "ratio", "target", "result"});
        for (Map.Entry<Workload, Map<String, List<Double>>> e : samples.entrySet()) {
            Workload w = e.getKey();
            Map<String, Stats> stats = new LinkedHashMap<>();
            for (Map.Entry<String, List<Double>> t : e.getValue().entrySet()) {
                Stats s = Stats.of(t.getValue());
                stats.put(t.getKey(), s);
                out.printf(Locale.ROOT, "summary workload=%s target=%s median=%.1f min=%.1f max=%.1f spread=%.0f%% n=%d"
                        + " unit=%s%n", w.label, t.getKey(), s.median(), s.min(), s.max(), s.spreadPercent(),
                        s.count(), w.unit);
            }
            Stats base = stats.get(baseline);
            for (String target : targets.subList(1, targets.size())) {
                Stats s = stats.get(target);
                if (s == null || base == null) {
                    continue;
                }
                double ratio = base.median() == 0 ? 0 : s.median() / base.median();
                OptionalDouble goal = w.goal();
                String verdict = goal.isEmpty() ? "-" : ratio >= goal.getAsDouble() ? "pass" : "miss";
                out.printf(Locale.ROOT, "ratio workload=%s target=%s baseline=%s ratio=%.2f goal=%s verdict=%s%n",
                        w.label, target, baseline, ratio,
                        goal.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", goal.getAsDouble()), verdict);
                rows.add(new String[] {w.label, w.unit, figure(base), target, figure(s),
                        String.format(Locale.ROOT, "%.2f", ratio),
                        goal.isEmpty() ? "-" : String.format(Locale.ROOT, ">=%.2f", goal.getAsDouble()), verdict});
            }
            if (targets.size() == 1 && base != null) {
                rows.add(new String[] {w.label, w.unit, figure(base), "-", "-", "-", "-", "-"});
            }
        }
        out.println();
        out.println("Medians of the rounds, [min-max] in brackets; ratio = Strata median / " + baseline + " median.");
        printTable(rows);
        out.flush();
    }

    private static String figure(Stats s) {
        return String.format(Locale.ROOT, "%.0f [%.0f-%.0f]", s.median(), s.min(), s.max());
    }

    private void printTable(List<String[]> rows) {
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                b.append(String.format("%-" + width[i] + "s", r[i]));
                if (i < r.length - 1) {
                    b.append("  ");
                }
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
