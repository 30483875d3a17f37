package dev.strata.server;

import dev.strata.core.store.FileObjectStore;
import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.core.store.RetryingObjectStore;
import dev.strata.core.store.Sleeper;
import dev.strata.core.store.StoreFailures;
import dev.strata.store.azure.AzureBlobObjectStore;
import dev.strata.store.s3.S3ObjectStore;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Random;

/**
 * The {@code --store} URI of the capacity tier: {@code file:///PATH} (a local directory, the
 * default being {@code DATA_DIR/bucket}), {@code az://CONTAINER[/PREFIX]} (Azure Blob, credentials
 * in {@code AZURE_STORAGE_CONNECTION_STRING}) or {@code s3://BUCKET[/PREFIX]} (S3 and compatible
 * servers, the standard {@code AWS_*} variables).
 *
 * <p>{@link #open} is where the composition root gets its {@link ObjectStore}: every store comes
 * wrapped in a {@link RetryingObjectStore}, and every way opening can fail becomes one line that
 * names the problem and what to do. The adapters check their setup when opening (Azure asks
 * whether the container exists, S3 sends HeadBucket), so a wrong URI or credential fails the mount
 * at once instead of at the first archive; that check is one try, bounded by the adapters' connect
 * timeouts (Azure 10 s, S3 5 s) and read timeouts (Azure 60 s, S3 30 s of silence).
 */
final class StoreUri {
    private static final String FORMS = "file:///PATH, az://CONTAINER[/PREFIX] or s3://BUCKET[/PREFIX]";

    private StoreUri() {}

    /**
     * Opens the capacity tier named by {@code uri}, or the data directory's own bucket when
     * {@code uri} is null, with the process environment for credentials.
     */
    static ObjectStore open(String uri, DataDir dir) throws CliException {
        return open(uri, dir.bucket(), System.getenv());
    }

    /** {@link #open(String, DataDir)} with the default bucket and the environment given (for tests). */
    static ObjectStore open(String uri, Path defaultBucket, Map<String, String> env) throws CliException {
        ObjectStore store = openUnwrapped(uri, defaultBucket, env);
        // java.util.Random is thread-safe, and the movers retry from many threads; the jitter
        // needs no better randomness than that.
        return new RetryingObjectStore(store, RetryingObjectStore.Policy.DEFAULT, Sleeper.SYSTEM, new Random());
    }

    private static ObjectStore openUnwrapped(String uri, Path defaultBucket, Map<String, String> env)
            throws CliException {
        if (uri == null) {
            uri = defaultBucket.toAbsolutePath().toUri().toString();
        }
        URI u = parse(uri);
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        try {
            return switch (scheme) {
                case "file" -> openFile(uri, u.getPath() == null ? null : Path.of(u.getPath()));
                case "az" -> AzureBlobObjectStore.open(u, env);
                case "s3" -> S3ObjectStore.open(u, env);
                case "" -> throw new CliException("--store '" + uri + "' has no scheme; write "
                        + (uri.startsWith("/") ? "file://" + uri : FORMS));
                default -> throw new CliException("--store '" + uri + "': unknown scheme '" + scheme + "'; write " + FORMS);
            };
        } catch (ObjectStoreException e) {
            throw failure(uri, scheme, e);
        } catch (RuntimeException e) {
            // An SDK refusing its input in a way the adapter did not foresee: still one line.
            throw new CliException("cannot open the object store: " + uri + ": " + oneLine(StoreFailures.rootMessage(e)));
        }
    }

    private static URI parse(String uri) throws CliException {
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            throw new CliException("--store '" + uri + "' is not a URI (" + e.getReason() + " at index " + e.getIndex()
                    + "); write " + FORMS);
        }
    }

    /**
     * A local directory store. The directory is created if missing (as the default bucket is), so
     * the FileObjectStore's own checks (absolute path, user xattrs, writable) get to speak.
     */
    private static ObjectStore openFile(String uri, Path path) throws CliException, ObjectStoreException {
        if (path != null && path.isAbsolute() && !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(path);
            } catch (IOException e) {
                String reason = e instanceof AccessDeniedException ? "permission denied"
                        : e instanceof FileAlreadyExistsException ? e.getMessage() + " is a file, not a directory"
                        : e.toString();
                throw new CliException("cannot create the object store's directory " + path + " (" + reason
                        + "); create it yourself or choose another with --store file:///PATH");
            }
        }
        return FileObjectStore.open(uri, new SecureRandom());
    }

    /**
     * The adapters' messages name the store (the {@code describe()} form) and, for a setup mistake,
     * the remedy; this adds what to check when no answer came at all.
     */
    static CliException failure(String uri, String scheme, ObjectStoreException e) {
        String message = oneLine(e.getMessage());
        String named = message.startsWith(scheme + ":") ? message : uri + ": " + message;
        if (e instanceof ObjectStoreException.Transient) {
            String check = switch (scheme) {
                case "az" -> "check the endpoint in AZURE_STORAGE_CONNECTION_STRING and the network, then try again";
                case "s3" -> "check AWS_ENDPOINT_URL (or AWS_REGION for AWS itself) and the network, then try again";
                default -> "check that the store is reachable, then try again";
            };
            return new CliException("cannot reach the object store: " + named + "; " + check);
        }
        return new CliException("cannot open the object store: " + named);
    }

    /** Multi-line SDK texts folded into one line. */
    static String oneLine(String text) {
        return text == null ? "(no message)" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /**
     * Validates {@code uri} without opening it, for the mount command until it switches to {@link #open}:
     * accepts only {@code file://} (creating the directory) and refuses {@code az://} and {@code s3://}.
     */
    static Path check(String uri, DataDir dir) throws CliException {
        if (uri == null) {
            return dir.bucket();
        }
        URI u = parse(uri);
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        switch (scheme) {
            case "file" -> {
                if (u.getPath() == null || u.getPath().isEmpty()) {
                    throw new CliException("--store file:// needs an absolute path, e.g. file:///srv/bucket");
                }
                Path p = Path.of(u.getPath());
                try {
                    Files.createDirectories(p);
                } catch (IOException e) {
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
