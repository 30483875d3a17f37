package dev.strata.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --store} URI of the capacity tier. Only the local-directory store ({@code file://})
 * exists so far; Azure ({@code az://}) and S3 ({@code s3://}) are recognised and refused with a
 * message that says so.
 */
final class StoreUri {
    private StoreUri() {}

    static Path check(String uri, DataDir dir) throws CliException {
        if (uri == null) {
            return dir.bucket();
        }
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw new CliException("--store '" + uri + "' is not a URI: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        switch (scheme) {
            case "file" -> {
                if (u.getPath() == null || u.getPath().isEmpty()) {
                    throw new CliException("--store file:// needs an absolute path, e.g. file:///srv/bucket");
                }
                Path p = Path.of(u.getPath());
                try {
                    Files.createDirectories(p);
                } catch (java.io.IOException e) {
                    throw new CliException("--store " + uri + ": cannot create " + p + ": " + e.getMessage());
                }
                return p;
            }
            case "az", "s3" -> throw new CliException("--store " + scheme + "://: the " + scheme
                    + " object store is not available in this version yet; use file:///PATH or leave --store out");
            default -> throw new CliException("--store '" + uri + "': unknown scheme '" + scheme
                    + "'; use file:///PATH (az:// and s3:// come later)");
        }
    }
}
