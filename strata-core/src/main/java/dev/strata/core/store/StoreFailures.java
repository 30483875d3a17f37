package dev.strata.core.store;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * What every adapter needs to classify an SDK's client-side failure the same way: whether it never
 * got an answer (an I/O error or a timeout somewhere in its causes, so {@link
 * ObjectStoreException.Transient}), and the root cause in one line for the message.
 */
public final class StoreFailures {
    /** Cause chains are short; a longer one is a cycle some library built. */
    private static final int MAX_DEPTH = 20;

    private StoreFailures() {}

    /** Whether an I/O error or a timeout is among the causes of {@code e}: the request got no answer. */
    public static boolean noAnswer(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < MAX_DEPTH; t = t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The innermost cause as {@code SimpleName: message}. */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        int depth = 0;
        while (root.getCause() != null && root.getCause() != root && depth++ < MAX_DEPTH) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
