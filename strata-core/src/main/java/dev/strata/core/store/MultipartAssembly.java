package dev.strata.core.store;

import dev.strata.core.store.ObjectStore.Limits;
import dev.strata.core.store.ObjectStore.Part;
import dev.strata.core.store.ObjectStore.Upload;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Checks a {@link FileObjectStore} completion's part list and concatenates the staged part files.
 * As strict as the in-memory fake: parts 1..n in order (S3 allows gaps; Strata never means them),
 * each with the tag and size its upload returned, all but the last at least the minimum.
 */
final class MultipartAssembly {
    private MultipartAssembly() {}

    static void concatenate(String where, Upload upload, Path dir, List<Part> parts, Limits limits, FileChannel out)
            throws IOException, ObjectStoreException {
        String what = where + ": completing " + upload.key() + " (" + upload.id() + "): ";
        if (parts.isEmpty()) {
            throw new ObjectStoreException.Permanent(what + "no parts listed", null);
        }
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            if (p.number() != i + 1) {
                throw new ObjectStoreException.Permanent(what + "parts must be 1.." + parts.size()
                        + " in order; position " + i + " holds part " + p.number(), null);
            }
            Path file = FileObjectStore.partPath(dir, p.number());
            ObjectRecord staged;
            long size;
            try {
                staged = ObjectRecord.read(file);
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                staged = null;
                size = -1;
            }
            if (staged == null || !staged.etag().equals(p.tag()) || size != p.sizeBytes()) {
                throw new ObjectStoreException.Permanent(what + "part " + p.number() + " with tag " + p.tag()
                        + " and " + p.sizeBytes() + " bytes was not staged (InvalidPart)", null);
            }
            if (i < parts.size() - 1 && size < limits.minPartBytes()) {
                throw new ObjectStoreException.Permanent(what + "part " + p.number() + " holds " + size
                        + " bytes, less than the minimum " + limits.minPartBytes() + " (EntityTooSmall)", null);
            }
        }
        for (Part p : parts) {
            try (FileChannel in = FileChannel.open(FileObjectStore.partPath(dir, p.number()), StandardOpenOption.READ)) {
                long size = in.size();
                for (long at = 0; at < size; ) {
                    at += in.transferTo(at, size - at, out);
                }
            }
        }
    }
}
