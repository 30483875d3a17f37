package dev.strata.store.azure;

import dev.strata.core.store.ObjectKeys;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * Where a store points: {@code az://container[/prefix]}. The prefix is a key prefix without
 * leading or trailing '/'; the store's keys are relative to it ({@code a/b} is blob
 * {@code prefix/a/b}).
 */
record AzureLocation(String container, String prefix) {
    /** Azure's container naming rule: 3 to 63 characters, lower-case letters, digits, single '-'. */
    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]");

    static AzureLocation parse(URI uri) {
        if (uri == null || !"az".equals(uri.getScheme())) {
            throw new IllegalArgumentException("not an Azure Blob location: " + uri + " (expected az://container[/prefix])");
        }
        String container = uri.getRawAuthority();
        if (container == null || !CONTAINER.matcher(container).matches()) {
            throw new IllegalArgumentException("bad container name in " + uri + ": Azure wants 3 to 63 lower-case letters,"
                    + " digits and single hyphens, starting and ending with a letter or digit");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String prefix = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (!prefix.isEmpty()) {
            String problem = ObjectKeys.keyProblem(prefix);
            if (problem != null) {
                throw new IllegalArgumentException("bad prefix in " + uri + ": " + problem);
            }
        }
        return new AzureLocation(container, prefix);
    }

    /** The blob names of this store start with this: "" or "prefix/". */
    String namePrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    String describe() {
        return "az://" + container + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
