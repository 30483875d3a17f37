package dev.strata.it.tier;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;
import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local-directory store, {@code file:///ROOT}: the bucket is the directory itself, read by
 * rclone's local backend (its staging area {@code .strata-staging} excluded, as the store never
 * lists it), and metadata is the store's record, the extended attribute {@code user.strata.object}
 * (lines {@code meta NAME=VALUE}).
 */
final class FileTierStore implements TierStore {
    private static final String STAGING = ".strata-staging";
    private final Path root;

    /** A store in {@code root}, which need not exist yet (the mount creates it). */
    FileTierStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public String uri() {
        return root.toUri().toString();
    }

    @Override
    public Map<String, String> serverEnv() {
        return Map.of();
    }

    @Override
    public Rclone rclone(Path scratch) throws IOException {
        return new Rclone("stratafile", root.toString(), Map.of("RCLONE_CONFIG_STRATAFILE_TYPE", "local"),
                List.of("--exclude", "/" + STAGING + "/**"), scratch);
    }

    @Override
    public Optional<Map<String, String>> metadata(String key, boolean directory) throws IOException {
        Path p = root.resolve(key);
        boolean present = directory ? Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
        if (!present) {
            return Optional.empty();
        }
        byte[] record;
        try {
            record = Libc.getxattr(p, "user.strata.object", true);
        } catch (ErrnoException e) {
            if (e.errno() == Errnos.ENODATA) {
                return Optional.of(Map.of());
            }
            throw new IOException("getxattr " + p + ": " + e.getMessage(), e);
        }
        Map<String, String> md = new LinkedHashMap<>();
        for (String line : new String(record, StandardCharsets.US_ASCII).split("\n")) {
            if (line.startsWith("meta ")) {
                int eq = line.indexOf('=');
                md.put(line.substring(5, eq), line.substring(eq + 1));
            }
        }
        return Optional.of(md);
    }

    @Override
    public List<String> pendingUploads(String key) throws IOException {
        Path uploads = root.resolve(STAGING).resolve("uploads");
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(uploads)) {
            return ids;
        }
        try (Stream<Path> dirs = Files.list(uploads)) {
            for (Path d : dirs.toList()) {
                Path info = d.resolve("upload");
                // The upload's record file holds the key as its content.
                if (Files.isRegularFile(info) && Files.readString(info, StandardCharsets.UTF_8).equals(key)) {
                    ids.add(d.getFileName().toString());
                }
            }
        }
        return ids;
    }

    @Override
    public String toString() {
        return uri();
    }
}
