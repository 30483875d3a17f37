package dev.strata.core.store;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Map;

/**
 * The rules of {@link ObjectStore}'s "Keys" and "Metadata" sections as code, so that every adapter
 * refuses the same keys and metadata with the same words, and the engine learns of a bad name
 * before it reaches a store that would have mangled it silently (S3 lower-cases metadata names,
 * HTTP trims header values).
 */
public final class ObjectKeys {
    /** S3's limit of a key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;
    /** S3's limit of all user metadata names and values together, in bytes. */
    public static final int MAX_METADATA_BYTES = 2048;

    /**
     * Orders strings by their UTF-8 bytes, which is the order stores list keys in. Differs from
     * {@link String#compareTo} (UTF-16 code units) for characters beyond U+FFFF against U+E000 to
     * U+FFFF: a surrogate pair sorts before U+FFFD in UTF-16 and after it in UTF-8.
     */
    public static final Comparator<String> UTF8_ORDER = ObjectKeys::compareUtf8;

    private ObjectKeys() {}

    /** Whether {@code key} names a directory marker. */
    public static boolean isMarker(String key) {
        return key.endsWith("/");
    }

    /**
     * Throws {@link ObjectStoreException.Permanent} unless {@code key} follows the port's rules.
     *
     * @param where the store, for the message ({@link ObjectStore#describe()})
     */
    public static void checkKey(String where, String key) throws ObjectStoreException.Permanent {
        String problem = keyProblem(key);
        if (problem != null) {
            throw new ObjectStoreException.Permanent(
                    where + ": refusing key " + quote(key) + ": " + problem, null);
        }
    }

    /** Why {@code key} breaks the rules, or null if it does not. */
    public static String keyProblem(String key) {
        if (key == null || key.isEmpty()) {
            return "a key must not be empty";
        }
        if (key.startsWith("/")) {
            return "a key is relative to the store's root and must not start with '/'";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "control character U+%04X at index %d".formatted((int) c, i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "lone surrogate at index " + i + " has no UTF-8 form";
            }
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            return bytes + " bytes of UTF-8, more than the " + MAX_KEY_BYTES + " stores allow";
        }
        String body = isMarker(key) ? key.substring(0, key.length() - 1) : key;
        for (String component : body.split("/", -1)) {
            if (component.isEmpty()) {
                return "empty component (\"//\" or a lone \"/\")";
            }
            if (component.equals(".") || component.equals("..")) {
                return "component \"" + component + "\" is not allowed";
            }
        }
        return null;
    }

    /** Throws {@link ObjectStoreException.Permanent} unless {@code metadata} follows the port's rules. */
    public static void checkMetadata(String where, Map<String, String> metadata)
            throws ObjectStoreException.Permanent {
        String problem = metadataProblem(metadata);
        if (problem != null) {
            throw new ObjectStoreException.Permanent(where + ": refusing metadata: " + problem, null);
        }
    }

    /** Why {@code metadata} breaks the rules, or null if it does not. */
    public static String metadataProblem(Map<String, String> metadata) {
        if (metadata == null) {
            return "metadata must not be null (use an empty map)";
        }
        int total = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            if (name == null || name.isEmpty() || !(name.charAt(0) >= 'a' && name.charAt(0) <= 'z')) {
                return "name " + quote(name) + " must start with a lower-case ASCII letter";
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    return "name " + quote(name) + " may hold only a-z, 0-9 and '-', not " + quote(String.valueOf(c));
                }
            }
            if (value == null) {
                return "value of " + name + " is null";
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    return "value of %s holds U+%04X at index %d; only printable ASCII is portable"
                            .formatted(name, (int) c, i);
                }
            }
            if (!value.isEmpty() && (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ')) {
                return "value of " + name + " starts or ends with a space, which HTTP would trim";
            }
            total += name.length() + value.length();
        }
        if (total > MAX_METADATA_BYTES) {
            return total + " bytes of names and values, more than " + MAX_METADATA_BYTES;
        }
        return null;
    }

    private static int compareUtf8(String a, String b) {
        int i = 0;
        int n = Math.min(a.length(), b.length());
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        if (i == n) {
            return Integer.compare(a.length(), b.length());
        }
        // Code points order as their UTF-8 bytes do; step back if we stopped inside a pair.
        if (i > 0 && Character.isHighSurrogate(a.charAt(i - 1))) {
            i--;
        }
        return Integer.compare(a.codePointAt(i), b.codePointAt(i));
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
