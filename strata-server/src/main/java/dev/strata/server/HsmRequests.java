package dev.strata.server;

import dev.strata.core.store.Sleeper;
import dev.strata.server.MountControl.Request;
import dev.strata.server.MountControl.Target;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One of archive, release and restore applied to many files: reads each file's state (which also
 * proves it is on a Strata mount), sends the request unless the file is there already, and for
 * archive and restore polls the states until every file is done, lost, or the timeout ends. A
 * failure is reported and the other files go on; the exit status says whether any failed.
 *
 * <p>Output: without {@code -r} one line per file ({@code PATH: archived}); with {@code -r} only
 * failures (on stderr) and a summary. Bounds: one poll round every {@link #POLL_INTERVAL}; the set
 * of files still waited for holds at most one entry per file requested.
 */
final class HsmRequests {
    static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    /** Files named in a timeout message; the rest are counted. */
    static final int NAMED_PENDING = 10;

    private final MountControl control;
    private final Sleeper sleeper;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Request request;
    private final Set<Target> pending = new LinkedHashSet<>();
    private boolean quiet;
    private boolean wait;
    private int done;
    private int already;
    private int failed;

    HsmRequests(ControlEnv env, Request request, PrintWriter out, PrintWriter err) {
        this.control = env.control();
        this.sleeper = env.sleeper();
        this.request = request;
        this.out = out;
        this.err = err;
    }

    /** Runs the request on {@code paths}; returns the exit status (1 if any file failed). */
    int run(List<Path> paths, boolean recursive, boolean waitForIt, Duration timeout) {
        this.quiet = recursive;
        this.wait = waitForIt && request != Request.RELEASE;
        FileWalk.expand(paths, recursive, control, new FileWalk.Visitor() {
            @Override
            public void file(Target file) {
                send(file);
            }

            @Override
            public void failed(String message) {
                fail(message);
            }
        });
        if (!pending.isEmpty()) {
            awaitAll(timeout);
        }
        if (recursive) {
            out.println(summary());
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private void send(Target t) {
        String state;
        try {
            state = control.state(t);
        } catch (CliException e) {
            fail(e.getMessage());
            return;
        }
        if (state.equals("directory")) {
            fail(t + " is a directory; use -r to " + request.word() + " every file below it");
            return;
        }
        if (isDone(state)) {
            already++;
            report(t, alreadyWords());
            return;
        }
        try {
            control.request(t, request);
        } catch (CliException e) {
            fail(e.getMessage());
            return;
        }
        if (wait) {
            pending.add(t);
        } else {
            done++;
            report(t, request == Request.RELEASE ? "released" : request.word() + " requested");
        }
    }

    private void awaitAll(Duration timeout) {
        long deadline = sleeper.nanoTime() + timeout.toNanos();
        while (true) {
            for (Iterator<Target> it = pending.iterator(); it.hasNext(); ) {
                Target t = it.next();
                String state;
                try {
                    state = control.state(t);
                } catch (CliException e) {
                    fail(e.getMessage());
                    it.remove();
                    continue;
                }
                if (isDone(state)) {
                    done++;
                    report(t, doneWord());
                    it.remove();
                } else if (state.equals("lost")) {
                    fail(control.lost(t));
                    it.remove();
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (sleeper.nanoTime() >= deadline) {
                fail(timedOut(timeout));
                failed += pending.size() - 1;
                pending.clear();
                return;
            }
            try {
                sleeper.sleepNanos(POLL_INTERVAL.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + pending.size() + " file(s); the requests stay queued");
                failed += pending.size() - 1;
                pending.clear();
                return;
            }
        }
    }

    /**
     * Archive is done once the object is committed ({@code released} counts: release needs it);
     * restore once the data is local again (a write after it may make the file dirty at once).
     */
    private boolean isDone(String state) {
        return switch (request) {
            case ARCHIVE -> state.equals("archived") || state.equals("released");
            case RELEASE -> state.equals("released");
            case RESTORE -> state.equals("archived") || state.equals("resident") || state.equals("dirty")
                    || state.equals("archiving");
        };
    }

    private String timedOut(Duration timeout) {
        List<String> names = new ArrayList<>();
        for (Target t : pending) {
            if (names.size() == NAMED_PENDING) {
                break;
            }
            names.add(t.toString());
        }
        int more = pending.size() - names.size();
        return "timed out after " + Durations.human(timeout) + " waiting for " + files(pending.size()) + " to be "
                + doneWord() + ": " + String.join(", ", names) + (more > 0 ? " and " + more + " more" : "")
                + " (the requests stay queued; ./strata hsm queue shows failing tasks)";
    }

    private String summary() {
        String first = wait || request == Request.RELEASE
                ? files(done) + " " + doneWord()
                : done + " " + request.word() + (done == 1 ? " request" : " requests") + " sent";
        String second = request == Request.RESTORE ? already + " not released" : already + " " + alreadyWords();
        return first + ", " + second + ", " + failed + " failed";
    }

    private String doneWord() {
        return switch (request) {
            case ARCHIVE -> "archived";
            case RELEASE -> "released";
            case RESTORE -> "restored";
        };
    }

    private String alreadyWords() {
        return request == Request.RESTORE ? "not released (nothing to restore)" : "already " + doneWord();
    }

    private static String files(int n) {
        return n + (n == 1 ? " file" : " files");
    }

    private void report(Target t, String what) {
        if (!quiet) {
            out.println(t + ": " + what);
        }
    }

    private void fail(String message) {
        failed++;
        err.println("strata: " + message);
        err.flush();
    }
}
