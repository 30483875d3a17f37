package dev.strata.core.store;

import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Cuts one {@link ListPage} out of a stream of keys in UTF-8 order, with the port's rules on
 * delimiters, markers and page size, for stores that keep their keys themselves (the local
 * directory, the in-memory fake). Continuations are {@code "v1:" + the last key or prefix
 * returned}: readable in a debugger, versioned in case the format must change, and refused when
 * they are anything else, so a caller passing a token from another store finds out at once.
 */
public final class Listings {
    private static final String CONTINUATION_PREFIX = "v1:";

    /** Looks up what a listing reports for a key, or null if it vanished since it was walked. */
    @FunctionalInterface
    public interface InfoLoader {
        ObjectInfo load(String key) throws ObjectStoreException;
    }

    private Listings() {}

    /**
     * The page of {@code keys} after {@code continuation}.
     *
     * @param keys every key starting with {@code prefix}, in UTF-8 order; keys not starting with it
     *     end the listing
     */
    public static ListPage page(String where, Iterator<String> keys, InfoLoader loader, String prefix,
            boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive: " + maxKeys);
        }
        String after = after(where, continuation);
        List<ObjectInfo> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String last = null;
        while (keys.hasNext()) {
            String key = keys.next();
            if (!key.startsWith(prefix)) {
                break;
            }
            if (key.equals(prefix) && ObjectKeys.isMarker(key)) {
                continue; // the directory's own marker: the port says a listing never reports it
            }
            if (after != null && (ObjectKeys.UTF8_ORDER.compare(key, after) <= 0
                    || (delimited && ObjectKeys.isMarker(after) && key.startsWith(after)))) {
                continue;
            }
            String entry = key;
            int slash = delimited ? key.indexOf('/', prefix.length()) : -1;
            if (slash >= 0) {
                entry = key.substring(0, slash + 1);
                if (entry.equals(last)) {
                    continue;
                }
            }
            if (objects.size() + prefixes.size() == maxKeys) {
                return new ListPage(objects, prefixes, CONTINUATION_PREFIX + last);
            }
            if (slash >= 0) {
                prefixes.add(entry);
            } else {
                ObjectInfo info = loader.load(key);
                if (info == null) {
                    continue;
                }
                objects.add(info);
            }
            last = entry;
        }
        return new ListPage(objects, prefixes, null);
    }

    /** The last key or prefix a continuation says was returned, or null for a first page. */
    public static String after(String where, String continuation) throws ObjectStoreException.Permanent {
        if (continuation == null) {
            return null;
        }
        if (!continuation.startsWith(CONTINUATION_PREFIX)) {
            throw new ObjectStoreException.Permanent(
                    where + ": continuation \"" + continuation + "\" was not issued by this store", null);
        }
        return continuation.substring(CONTINUATION_PREFIX.length());
    }
}
