package dev.strata.store.azure;

import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStoreException;
import java.util.HashMap;
import java.util.Map;

/**
 * How port keys and metadata become Azure blob names and metadata, and back.
 *
 * <p><b>Markers.</b> The port's directory marker {@code a/b/} is the zero-byte blob {@code a/b}
 * with metadata {@code hdi_isfolder=true}, which is how ADLS Gen2 (flat-namespace view) and
 * blobfuse represent a directory, so those tools see Strata's directories as directories.
 *
 * <p><b>Metadata names.</b> Azure wants C# identifiers, so the port's '-' becomes '_' on the wire
 * ({@code file-permissions} is stored as {@code file_permissions}) and back. The port allows no
 * '_' in names, so the mapping is one to one. Azure metadata that does not map back to a valid
 * port name as it stands (another tool's {@code _tool}, or {@code hdi_isfolder}) is not reported.
 */
final class AzureNames {
    /** The ADLS / blobfuse directory flag. */
    static final String FOLDER_FLAG = "hdi_isfolder";
    /** Azure's limit of a blob name, in characters. */
    static final int MAX_BLOB_NAME_CHARS = 1024;
    /** Azure's limit of '/'-separated segments in a blob name. */
    static final int MAX_SEGMENTS = 254;

    private AzureNames() {}

    /**
     * Refuses what the port refuses, and what Azure cannot store faithfully: a component ending
     * in '.' (Azure's front end trims trailing dots of URL path segments, so {@code file.} would
     * silently become {@code file}), or a name beyond Azure's length and depth limits.
     */
    static void checkKey(AzureLocation where, String key) throws ObjectStoreException.Permanent {
        ObjectKeys.checkKey(where.describe(), key);
        String body = ObjectKeys.isMarker(key) ? key.substring(0, key.length() - 1) : key;
        String problem = null;
        for (String component : body.split("/", -1)) {
            if (component.endsWith(".")) {
                problem = "component \"" + component + "\" ends in '.', which Azure trims from blob names";
                break;
            }
        }
        String name = where.namePrefix() + body;
        if (problem == null && name.length() > MAX_BLOB_NAME_CHARS) {
            problem = "blob name of " + name.length() + " characters, more than Azure's " + MAX_BLOB_NAME_CHARS;
        }
        if (problem == null && name.split("/", -1).length > MAX_SEGMENTS) {
            problem = "more than Azure's " + MAX_SEGMENTS + " path segments";
        }
        if (problem != null) {
            throw new ObjectStoreException.Permanent(
                    where.describe() + ": refusing key \"" + key + "\": " + problem, null);
        }
    }

    /** The blob that holds {@code key}: the marker {@code a/b/} lives in blob {@code a/b}. */
    static String blobName(AzureLocation where, String key) {
        String body = ObjectKeys.isMarker(key) ? key.substring(0, key.length() - 1) : key;
        return where.namePrefix() + body;
    }

    /** The port's metadata as Azure stores it, with the folder flag for markers. */
    static Map<String, String> toAzure(Map<String, String> metadata, boolean marker) {
        Map<String, String> azure = new HashMap<>();
        metadata.forEach((name, value) -> azure.put(name.replace('-', '_'), value));
        if (marker) {
            azure.put(FOLDER_FLAG, "true");
        }
        return azure;
    }

    /** Azure's metadata as the port reports it: names mapped back, the folder flag and foreign names dropped. */
    static Map<String, String> fromAzure(Map<String, String> azure) {
        Map<String, String> port = new HashMap<>();
        if (azure == null) {
            return port;
        }
        azure.forEach((name, value) -> {
            String mapped = name.replace('_', '-');
            if (!name.equalsIgnoreCase(FOLDER_FLAG) && ObjectKeys.metadataProblem(Map.of(mapped, value)) == null) {
                port.put(mapped, value);
            }
        });
        return port;
    }

    /** Whether Azure metadata marks a directory. */
    static boolean isFolder(Map<String, String> azure) {
        if (azure == null) {
            return false;
        }
        for (Map.Entry<String, String> e : azure.entrySet()) {
            if (e.getKey().equalsIgnoreCase(FOLDER_FLAG)) {
                return "true".equalsIgnoreCase(e.getValue());
            }
        }
        return false;
    }
}
