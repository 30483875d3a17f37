package dev.strata.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link FileObjectStore} keeps of an object beside its bytes, in ONE user extended attribute,
 * {@code user.strata.object}, so that a change of metadata and etag is a single setxattr and readers
 * never see the new metadata with the old etag. The value is printable text, one item per line, so
 * {@code getfattr -n user.strata.object FILE} shows it:
 * <pre>
 * strata-object 1
 * etag "1a2b3c-7"
 * upload 9f0e...            (only on objects made by completeUpload: the upload's id)
 * meta file-permissions=0100644
 * meta file-mtime=1700000000123456789ns
 * </pre>
 * The first line carries the format version (an unknown version is refused rather than guessed).
 * On a directory the attribute makes it a directory marker; a directory without it exists only
 * because keys lie under it.
 *
 * @param uploadId the multipart upload that made this object, or null
 */
record ObjectRecord(String etag, String uploadId, Map<String, String> metadata) {
    static final String XATTR = "strata.object"; // the JDK adds the "user." namespace on Linux
    private static final String HEADER = "strata-object 1";

    ObjectRecord {
        metadata = Map.copyOf(metadata);
    }

    String encode() {
        StringBuilder sb = new StringBuilder(HEADER).append('\n').append("etag ").append(etag).append('\n');
        if (uploadId != null) {
            sb.append("upload ").append(uploadId).append('\n');
        }
        new TreeMap<>(metadata).forEach((k, v) -> sb.append("meta ").append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    static ObjectRecord decode(Path where, String text) throws IOException {
        String[] lines = text.split("\n");
        if (lines.length < 2 || !lines[0].equals(HEADER) || !lines[1].startsWith("etag ")) {
            throw new IOException("user." + XATTR + " of " + where + " is not a version-1 object record: \""
                    + text.lines().findFirst().orElse("") + "\"");
        }
        String upload = null;
        Map<String, String> meta = new TreeMap<>();
        for (int i = 2; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("upload ")) {
                upload = line.substring(7);
            } else if (line.startsWith("meta ") && line.indexOf('=') > 5) {
                int eq = line.indexOf('=');
                meta.put(line.substring(5, eq), line.substring(eq + 1));
            } else {
                throw new IOException("user." + XATTR + " of " + where + ": unreadable line \"" + line + "\"");
            }
        }
        return new ObjectRecord(lines[1].substring(5), upload, meta);
    }

    /** The record of {@code path} (not following links), or null if it has none. */
    static ObjectRecord read(Path path) throws IOException {
        UserDefinedFileAttributeView view = view(path);
        if (!view.list().contains(XATTR)) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(view.size(XATTR));
        view.read(XATTR, buf);
        buf.flip();
        return decode(path, StandardCharsets.US_ASCII.decode(buf).toString());
    }

    void write(Path path) throws IOException {
        view(path).write(XATTR, StandardCharsets.US_ASCII.encode(encode()));
    }

    static void remove(Path path) throws IOException {
        UserDefinedFileAttributeView view = view(path);
        if (view.list().contains(XATTR)) {
            view.delete(XATTR);
        }
    }

    private static UserDefinedFileAttributeView view(Path path) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new IOException("the file system of " + path + " has no user extended attributes");
        }
        return view;
    }
}
