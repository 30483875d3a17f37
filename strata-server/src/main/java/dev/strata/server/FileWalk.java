package dev.strata.server;

import dev.strata.server.MountControl.Target;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The {@code -r} walk: every regular file below a directory, in name order, a directory's files
 * before its subdirectories (as {@code ls -R} lists them). Symlinks met while walking are not
 * followed and, like other special files, skipped; a symlink named as the root is followed, as
 * command-line arguments are. Paths are reported under the root as the user wrote it.
 *
 * <p>Memory: one directory's listing at a time plus the stack of directories still to visit; the
 * walk does not hold the tree. An unreadable directory is reported and skipped; the walk goes on.
 */
final class FileWalk {
    interface Visitor {
        void file(Target file);

        /** A path that could not be visited; {@code message} names it. */
        void failed(String message);
    }

    private FileWalk() {}

    /**
     * The files the command-line {@code paths} stand for: each path itself, or with
     * {@code recursive} every regular file below a directory. A directory is first checked to be
     * on a Strata mount, so that a wrong path costs one error line, not one per file below it.
     */
    static void expand(List<Path> paths, boolean recursive, MountControl control, Visitor visitor) {
        for (Path p : paths) {
            if (recursive && Files.isDirectory(p)) {
                try {
                    control.state(new Target(p, false));
                } catch (CliException e) {
                    visitor.failed(e.getMessage());
                    continue;
                }
                regularFiles(p, visitor);
            } else {
                visitor.file(new Target(p, false));
            }
        }
    }

    static void regularFiles(Path root, Visitor visitor) {
        Deque<Path> dirs = new ArrayDeque<>();
        dirs.push(root);
        while (!dirs.isEmpty()) {
            Path dir = dirs.pop();
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(entries::add);
            } catch (IOException e) {
                visitor.failed(dir + ": cannot list the directory: " + reason(e));
                continue;
            }
            entries.sort(null);
            List<Path> subdirs = new ArrayList<>();
            for (Path entry : entries) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue; // removed since the listing: nothing to act on
                } catch (IOException e) {
                    visitor.failed(entry + ": " + reason(e));
                    continue;
                }
                if (a.isRegularFile()) {
                    visitor.file(new Target(entry, true));
                } else if (a.isDirectory()) {
                    subdirs.add(entry);
                }
            }
            for (int i = subdirs.size() - 1; i >= 0; i--) {
                dirs.push(subdirs.get(i));
            }
        }
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
