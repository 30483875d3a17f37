package dev.strata.hsm;

import dev.strata.core.FsException;
import dev.strata.core.Name;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The 1:1 mapping between paths and object keys: file {@code a/b/c} is object {@code a/b/c},
 * directory {@code a/b} is marker {@code a/b/}. Keys are relative to the store's root.
 *
 * <p>Export ({@link #keyOf}) refuses names that have no key: POSIX names are bytes, keys are
 * Unicode strings, so a name that is not valid UTF-8 cannot be mirrored 1:1 and stays on the fast
 * tier only (the caller reports it). Import ({@link #parse}) is the dangerous direction, since
 * anyone may write a key: a key is accepted only if every component is a valid {@link Name}, so
 * an accepted path never leaves the root — no empty, {@code .} or {@code ..} component, no NUL,
 * nothing over 255 bytes. Keys reach us as Java strings from the SDKs; a string with an unpaired
 * surrogate has no UTF-8 form and is rejected rather than guessed at.
 */
public final class MirrorKeys {
    /** The longest key S3 and Azure accept (S3: 1024 bytes of UTF-8). */
    public static final int MAX_KEY_BYTES = 1024;

    private MirrorKeys() {}

    /** Why an object of the bucket does not appear in the file system. */
    public enum SkipReason {
        EMPTY_KEY,
        /** {@code a//b}, a leading '/', or the key "/" */
        EMPTY_COMPONENT,
        /** a {@code .} or {@code ..} component */
        DOT_COMPONENT,
        /** a component over 255 bytes of UTF-8 */
        COMPONENT_TOO_LONG,
        NUL,
        UNPAIRED_SURROGATE,
        /** both {@code x} and {@code x/} exist: the directory wins, the file is hidden */
        FILE_DIRECTORY_CONFLICT,
        /** a listing returned a key outside the prefix it was asked for (an adapter bug) */
        OUTSIDE_PREFIX
    }

    /** A name that has no object key. */
    public static final class Unmirrorable extends Exception {
        public Unmirrorable(String message) {
            super(message, null, false, false);
        }
    }

    /** What {@link #parse} makes of a key. */
    public sealed interface Parsed permits Accepted, Rejected {}

    /** A key that names a path inside the root; {@code directory} if it is a marker (ends in '/'). */
    public record Accepted(List<Name> path, boolean directory) implements Parsed {
        public Accepted {
            path = List.copyOf(path);
        }
    }

    public record Rejected(SkipReason reason) implements Parsed {}

    /**
     * The key of {@code path} (names from the root), with a trailing '/' for a directory marker.
     *
     * @throws Unmirrorable if a name is not valid UTF-8 or the key would exceed {@link #MAX_KEY_BYTES}
     */
    public static String keyOf(List<Name> path, boolean directory) throws Unmirrorable {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the root has no key");
        }
        StringBuilder key = new StringBuilder();
        int bytes = 0;
        for (Name n : path) {
            if (!key.isEmpty()) {
                key.append('/');
                bytes++;
            }
            key.append(utf8(n));
            bytes += n.length();
        }
        if (directory) {
            key.append('/');
            bytes++;
        }
        if (bytes > MAX_KEY_BYTES) {
            throw new Unmirrorable("key of " + bytes + " bytes exceeds " + MAX_KEY_BYTES + ": " + key);
        }
        return key.toString();
    }

    /** The listing prefix of a directory: "" for the root, else its marker key. */
    public static String dirPrefix(List<Name> path) throws Unmirrorable {
        return path.isEmpty() ? "" : keyOf(path, true);
    }

    private static String utf8(Name n) throws Unmirrorable {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(n.unsafeBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Unmirrorable("name is not valid UTF-8, so it has no object key: " + n);
        }
    }

    /** Validates a key (relative to the store root) into the path it names, or says why not. */
    public static Parsed parse(String key) {
        if (key.isEmpty()) {
            return new Rejected(SkipReason.EMPTY_KEY);
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == 0) {
                return new Rejected(SkipReason.NUL);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return new Rejected(SkipReason.UNPAIRED_SURROGATE);
            }
            if (Character.isLowSurrogate(c)) {
                return new Rejected(SkipReason.UNPAIRED_SURROGATE);
            }
        }
        boolean directory = key.endsWith("/");
        String body = directory ? key.substring(0, key.length() - 1) : key;
        List<Name> path = new ArrayList<>();
        for (String component : body.split("/", -1)) {
            if (component.isEmpty()) {
                return new Rejected(SkipReason.EMPTY_COMPONENT);
            }
            byte[] raw = component.getBytes(StandardCharsets.UTF_8);
            if (Name.isDotOrDotDot(raw)) {
                return new Rejected(SkipReason.DOT_COMPONENT);
            }
            if (raw.length > Name.MAX_BYTES) {
                return new Rejected(SkipReason.COMPONENT_TOO_LONG);
            }
            try {
                path.add(Name.of(raw));
            } catch (FsException e) {
                // Every condition Name checks was checked above; reaching here is a bug.
                throw new AssertionError("component '" + component + "' of key '" + key + "' passed checks but: "
                        + e.getMessage(), e);
            }
        }
        return new Accepted(path, directory);
    }

    /** Per-reason counters of skipped keys, for import status and metrics. Thread-safe. */
    public static final class SkipCounts {
        private final Map<SkipReason, LongAdder> counts = new EnumMap<>(SkipReason.class);

        public SkipCounts() {
            for (SkipReason r : SkipReason.values()) {
                counts.put(r, new LongAdder());
            }
        }

        public void add(SkipReason reason) {
            counts.get(reason).increment();
        }

        public long get(SkipReason reason) {
            return counts.get(reason).sum();
        }

        public long total() {
            return counts.values().stream().mapToLong(LongAdder::sum).sum();
        }

        /** The non-zero counts. */
        public Map<SkipReason, Long> snapshot() {
            Map<SkipReason, Long> out = new EnumMap<>(SkipReason.class);
            counts.forEach((r, c) -> {
                if (c.sum() > 0) {
                    out.put(r, c.sum());
                }
            });
            return out;
        }
    }
}
