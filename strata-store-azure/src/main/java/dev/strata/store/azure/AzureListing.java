package dev.strata.store.azure;

import com.azure.core.http.rest.PagedResponse;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.strata.core.store.ObjectKeys;
import dev.strata.core.store.ObjectStore.ListPage;
import dev.strata.core.store.ObjectStore.ObjectInfo;
import dev.strata.core.store.ObjectStoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One page of a port listing, cut out of Azure's listing.
 *
 * <p>Why not pass Azure's pages through: a marker {@code a/b/} is the blob {@code a/b}, which
 * Azure lists before {@code a/b-x} and {@code a/b.txt}, while the port's order puts {@code a/b/}
 * after them ('-' and '.' sort before '/'). So entries go through a small buffer ordered by port
 * key, and an entry leaves it only once Azure has listed a name at or past it (Azure lists in
 * order, so nothing smaller can follow). In a delimited listing a marker is a prefix, merged with
 * the prefix Azure reports when the directory has children, so it appears once.
 *
 * <p>The same buffer turns Azure's UTF-16 order into the port's UTF-8 order (see {@link #safe}).
 *
 * <p>The buffer normally holds at most a marker or two; what is left in it at the end of a page
 * travels in the continuation (keys only: objects are headed again on the next page). Azure is
 * asked for no more entries than the page still has room for, so that is rare.
 *
 * <p>Continuation: base64url of (version, the listing's prefix and delimiter, Azure's marker,
 * the last Azure name consumed, the buffered entries). It is refused with another prefix.
 */
final class AzureListing {
    /** Azure's largest page. */
    static final int MAX_AZURE_PAGE = 5000;
    /** Bound on Azure requests for one port page (Azure may answer empty pages with a marker). */
    static final int MAX_REQUESTS_PER_PAGE = 8;
    private static final int TOKEN_VERSION = 1;

    /** Heads a buffered object again when a page resumes from a continuation. */
    @FunctionalInterface
    interface Reheader {
        ObjectInfo head(String key) throws ObjectStoreException;
    }

    /** A buffered entry: an object, or a prefix of a delimited listing (info null). */
    private record Entry(String key, ObjectInfo info) {}

    private final AzureLocation where;
    private final BlobContainerClient container;

    AzureListing(AzureLocation where, BlobContainerClient container) {
        this.where = where;
        this.container = container;
    }

    ListPage page(String prefix, boolean delimited, String continuation, int maxKeys, Reheader reheader)
            throws ObjectStoreException {
        TreeMap<String, Entry> buffer = new TreeMap<>(ObjectKeys.UTF8_ORDER);
        State state = continuation == null ? new State(null, null, false)
                : resume(continuation, prefix, delimited, buffer, reheader);
        String namePrefix = where.namePrefix();
        List<ObjectInfo> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        Iterator<BlobItem> items = List.<BlobItem>of().iterator();
        String azureMarker = state.azureMarker;
        String lastName = state.lastName;
        boolean azureDone = state.azureDone;
        int requests = 0;
        while (true) {
            // Emit what nothing from Azure can precede any more.
            while (!buffer.isEmpty() && (azureDone && !items.hasNext() || safe(buffer.firstKey(), lastName))) {
                if (objects.size() + prefixes.size() == maxKeys) {
                    return new ListPage(objects, prefixes, carry(prefix, delimited, azureMarker, lastName, azureDone, items, buffer));
                }
                Entry e = buffer.pollFirstEntry().getValue();
                if (e.info == null) {
                    if (prefixes.isEmpty() || !prefixes.getLast().equals(e.key)) {
                        prefixes.add(e.key);
                    }
                } else {
                    objects.add(e.info);
                }
            }
            if (!items.hasNext()) {
                if (azureDone) {
                    return new ListPage(objects, prefixes, null);
                }
                int room = maxKeys - objects.size() - prefixes.size() - buffer.size();
                if (room <= 0 && !(objects.isEmpty() && prefixes.isEmpty())
                        || requests == MAX_REQUESTS_PER_PAGE) {
                    return new ListPage(objects, prefixes, carry(prefix, delimited, azureMarker, lastName, false, items, buffer));
                }
                requests++;
                ListBlobsOptions options = new ListBlobsOptions().setPrefix(namePrefix + prefix)
                        .setMaxResultsPerPage(Math.clamp(room, 1, MAX_AZURE_PAGE))
                        .setDetails(new BlobListDetails().setRetrieveMetadata(true));
                PagedResponse<BlobItem> page = fetch(options, delimited, azureMarker, prefix);
                // Azurite returns a hierarchical page's blobs, then its prefixes; Azure interleaves
                // them. Within a page, order by name so both look like one ordered stream.
                items = page.getValue().stream().sorted(Comparator.comparing(BlobItem::getName)).iterator();
                azureMarker = page.getContinuationToken();
                azureDone = azureMarker == null || azureMarker.isEmpty();
                continue;
            }
            BlobItem item = items.next();
            if (!item.getName().startsWith(namePrefix)) {
                continue;
            }
            lastName = item.getName().substring(namePrefix.length());
            Entry entry = toEntry(lastName, item, delimited);
            if (entry != null && !(entry.key.equals(prefix))) {
                buffer.putIfAbsent(entry.key, entry);
            }
        }
    }

    /**
     * Whether no name Azure may still list can precede {@code key} in the port's (UTF-8) order,
     * given that Azure listed {@code lastName} last. Azure lists in UTF-16 code-unit order (so does
     * Azurite), which differs from UTF-8 order only where a surrogate pair (a character beyond
     * U+FFFF) meets a character in U+E000 to U+FFFF: UTF-16 puts the pair first, UTF-8 last. So a
     * key with no surrogate is safe once Azure has listed past it; a key with one only once Azure
     * has left every name sharing the key's text before its first surrogate.
     */
    static boolean safe(String key, String lastName) {
        if (lastName == null || key.compareTo(lastName) > 0) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isSurrogate(key.charAt(i))) {
                return !lastName.startsWith(key.substring(0, i));
            }
        }
        return true;
    }

    private PagedResponse<BlobItem> fetch(ListBlobsOptions options, boolean delimited, String azureMarker, String prefix)
            throws ObjectStoreException {
        try {
            var iterable = delimited ? container.listBlobsByHierarchy("/", options, null)
                    : container.listBlobs(options, null);
            var pages = azureMarker == null ? iterable.iterableByPage() : iterable.iterableByPage(azureMarker);
            return pages.iterator().next();
        } catch (RuntimeException e) {
            throw AzureErrors.map(where.describe(), "list", prefix, e);
        }
    }

    /** The port entry for a listed name, or null for a name the port cannot represent. */
    private Entry toEntry(String name, BlobItem item, boolean delimited) {
        if (Boolean.TRUE.equals(item.isPrefix())) {
            return ObjectKeys.keyProblem(name) == null ? new Entry(name, null) : null;
        }
        BlobItemProperties p = item.getProperties();
        Map<String, String> azureMeta = item.getMetadata();
        boolean folder = AzureNames.isFolder(azureMeta);
        String key = folder ? name + "/" : name;
        if (ObjectKeys.keyProblem(key) != null || name.endsWith("/")) {
            return null; // another tool's blob ("a//b", "dir/"): not representable as a port key
        }
        if (folder && delimited) {
            return new Entry(key, null);
        }
        long size = p == null || p.getContentLength() == null ? 0 : p.getContentLength();
        return new Entry(key, new ObjectInfo(key, size, p == null ? null : p.getETag(),
                p == null || p.getLastModified() == null ? null : p.getLastModified().toInstant(),
                AzureNames.fromAzure(azureMeta), true));
    }

    private record State(String azureMarker, String lastName, boolean azureDone) {}

    private String carry(String prefix, boolean delimited, String azureMarker, String lastName, boolean azureDone,
            Iterator<BlobItem> rest, TreeMap<String, Entry> buffer) {
        // Azure's marker points past the page we hold, so whatever is left of it is buffered too.
        String namePrefix = where.namePrefix();
        while (rest.hasNext()) {
            BlobItem item = rest.next();
            if (item.getName().startsWith(namePrefix)) {
                lastName = item.getName().substring(namePrefix.length());
                Entry entry = toEntry(lastName, item, delimited);
                if (entry != null && !entry.key.equals(prefix)) {
                    buffer.putIfAbsent(entry.key, entry);
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(TOKEN_VERSION);
            out.writeUTF(prefix);
            out.writeBoolean(delimited);
            out.writeBoolean(azureDone);
            out.writeUTF(azureMarker == null ? "" : azureMarker);
            out.writeUTF(lastName == null ? "" : lastName);
            out.writeInt(buffer.size());
            for (Entry e : buffer.values()) {
                out.writeBoolean(e.info == null);
                out.writeUTF(e.key);
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
    }

    private State resume(String continuation, String prefix, boolean delimited, TreeMap<String, Entry> buffer,
            Reheader reheader) throws ObjectStoreException {
        State state;
        List<String> prefixEntries = new ArrayList<>();
        List<String> objectEntries = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(
                Base64.getUrlDecoder().decode(continuation)))) {
            if (in.readInt() != TOKEN_VERSION || !in.readUTF().equals(prefix) || in.readBoolean() != delimited) {
                throw new IOException("another listing's continuation");
            }
            boolean azureDone = in.readBoolean();
            String marker = in.readUTF();
            String last = in.readUTF();
            state = new State(marker.isEmpty() ? null : marker, last.isEmpty() ? null : last, azureDone);
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                (in.readBoolean() ? prefixEntries : objectEntries).add(in.readUTF());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ObjectStoreException.Permanent(where.describe() + ": continuation \"" + continuation
                    + "\" was not issued by this store for a listing of \"" + prefix + "\"", null);
        }
        for (String key : prefixEntries) {
            buffer.put(key, new Entry(key, null));
        }
        for (String key : objectEntries) {
            ObjectInfo info = reheader.head(key);
            if (info != null) {
                buffer.put(key, new Entry(key, info));
            }
        }
        return state;
    }
}
