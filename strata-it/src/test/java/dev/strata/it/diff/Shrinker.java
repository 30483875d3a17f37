package dev.strata.it.diff;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Shrinks a failing sequence: drops chunks of steps (halves, then quarters, down to single steps)
 * while the replay still fails the same way (same {@link DiffRunner.Mismatch#kind}), within a
 * bound on replays and time.
 */
final class Shrinker {
    static final int MAX_REPLAYS = 400;
    static final long MAX_MILLIS = 90_000;

    /** The shrunk sequence and its mismatch (the original's if nothing could be dropped). */
    record Result(List<Op> ops, DiffRunner.Mismatch mismatch, int replays) {
        String java() {
            return ops.stream().map(o -> "                " + o.java()).collect(Collectors.joining(",\n"));
        }
    }

    private Shrinker() {}

    static Result shrink(DiffRunner runner, List<Op> failing, DiffRunner.Mismatch original) throws IOException {
        List<Op> cur = new ArrayList<>(failing.subList(0, Math.min(failing.size(), original.step() + 1)));
        DiffRunner.Mismatch curMismatch = runner.replay(cur);
        if (curMismatch == null || !curMismatch.kind().equals(original.kind())) {
            // Not reproducible by replay (compared trees at other moments, or timing): keep it whole.
            return new Result(failing, original, 1);
        }
        long deadline = System.currentTimeMillis() + MAX_MILLIS;
        int replays = 1;
        int chunk = Math.max(1, cur.size() / 2);
        while (replays < MAX_REPLAYS && System.currentTimeMillis() < deadline) {
            boolean dropped = false;
            for (int start = 0; start < cur.size() && replays < MAX_REPLAYS; ) {
                List<Op> cand = new ArrayList<>(cur.subList(0, start));
                cand.addAll(cur.subList(Math.min(cur.size(), start + chunk), cur.size()));
                DiffRunner.Mismatch m = runner.replay(cand);
                replays++;
                if (m != null && m.kind().equals(original.kind())) {
                    cur = new ArrayList<>(cand.subList(0, Math.min(cand.size(), m.step() + 1)));
                    curMismatch = m;
                    dropped = true;
                } else {
                    start += chunk;
                }
            }
            if (!dropped) {
                if (chunk == 1) {
                    break;
                }
                chunk = Math.max(1, chunk / 2);
            }
        }
        return new Result(cur, curMismatch, replays);
    }
}
