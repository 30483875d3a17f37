package dev.strata.server;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Answers the control attributes of docs/CONTROL-XATTRS.md as a Strata mount at {@code root}
 * would, over a real directory tree (so walks and stat see real files); paths outside it get the
 * real system calls. It answers with HsmTiering's errnos: unknown request words, requests on
 * directories and malformed policies are EINVAL, a policy on a file ENOTDIR; release of a file not
 * archived and archive under a scratch policy EPERM; archive of a lost file EIO; an unknown dead
 * letter ENOENT. The engine's progress is simulated: an archive or restore completes after
 * {@link #pollsToFinish} reads of the file's state.
 */
final class FakeMount implements Xattrs {
    private static final Pattern POLICY =
            Pattern.compile("durability=(scratch|async|sync)( max-dirty-age=[1-9][0-9]*s)?");

    final Path root;
    int pollsToFinish = 3;
    final Map<Path, String> states = new HashMap<>();
    final Map<Path, String> policies = new HashMap<>();
    /** Files whose next archive or restore ends lost, with this error. */
    final Map<Path, String> failing = new HashMap<>();
    /** Files whose archive never finishes. */
    final Set<Path> stuck = new HashSet<>();
    final Set<Path> open = new HashSet<>();
    /** Files whose requests fail with EIO (the tier cannot be reached). */
    final Set<Path> unreachable = new HashSet<>();
    final Map<String, String> deadLetters = new LinkedHashMap<>();
    final List<String> requests = new ArrayList<>();
    private final Map<Path, Integer> progress = new HashMap<>();
    private final Map<Path, String> errors = new HashMap<>();

    FakeMount(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public byte[] get(Path path, String name, boolean noFollow) throws ErrnoException {
        Path p = key(path, noFollow);
        if (!p.startsWith(root)) {
            return Xattrs.SYSTEM.get(path, name, noFollow);
        }
        exists(p, name, "getxattr");
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new ErrnoException("getxattr", Errnos.ENODATA, p + " " + name); // the kernel's answer for user.*
        }
        return bytes(switch (name) {
            case MountControl.STATE -> state(p);
            case MountControl.INFO -> "state=" + currentState(p) + "\nerror=" + errors.getOrDefault(p, "") + "\n";
            case MountControl.POLICY -> {
                String own = policies.get(p);
                if (own == null) {
                    throw new ErrnoException("getxattr", Errnos.ENODATA, p + " " + name);
                }
                yield own;
            }
            case MountControl.EFFECTIVE_POLICY -> effective(p);
            case MountControl.STATUS -> "store: file:///fake\ndirty-files: 1\n";
            case MountControl.QUEUE -> queue();
            default -> throw new ErrnoException("getxattr", Errnos.ENODATA, p + " " + name);
        });
    }

    @Override
    public void set(Path path, String name, byte[] value, boolean noFollow) throws ErrnoException {
        Path p = key(path, noFollow);
        if (!p.startsWith(root)) {
            Xattrs.SYSTEM.set(path, name, value, noFollow);
            return;
        }
        exists(p, name, "setxattr");
        String v = new String(value, StandardCharsets.UTF_8);
        switch (name) {
            case MountControl.REQUEST -> request(p, v);
            case MountControl.POLICY -> {
                if (!Files.isDirectory(p)) {
                    throw new ErrnoException("setxattr", Errnos.ENOTDIR, p + " " + name);
                }
                if (!POLICY.matcher(v).matches()) {
                    throw new ErrnoException("setxattr", Errnos.EINVAL, p + " " + name);
                }
                policies.put(p, v);
            }
            case MountControl.QUEUE -> {
                String[] words = v.split(" ");
                if (words.length != 2 || !(words[0].equals("retry") || words[0].equals("discard"))
                        || !words[1].matches("[0-9]+")) {
                    throw new ErrnoException("setxattr", Errnos.EINVAL, p + " " + name);
                }
                if (deadLetters.remove(words[1]) == null) {
                    throw new ErrnoException("setxattr", Errnos.ENOENT, p + " " + name);
                }
                requests.add(v);
            }
            default -> throw new ErrnoException("setxattr", Errnos.EPERM, p + " " + name);
        }
    }

    @Override
    public void remove(Path path, String name, boolean noFollow) throws ErrnoException {
        Path p = key(path, noFollow);
        if (!p.startsWith(root)) {
            Xattrs.SYSTEM.remove(path, name, noFollow);
            return;
        }
        exists(p, name, "removexattr");
        if (!name.equals(MountControl.POLICY) || policies.remove(p) == null) {
            throw new ErrnoException("removexattr", Errnos.ENODATA, p + " " + name);
        }
    }

    private void request(Path p, String word) throws ErrnoException {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new ErrnoException("setxattr", Files.isDirectory(p) ? Errnos.EINVAL : Errnos.EPERM, p.toString());
        }
        if (!List.of("archive", "release", "restore").contains(word)) {
            throw new ErrnoException("setxattr", Errnos.EINVAL, p + " " + word);
        }
        if (word.equals("archive") && effective(p).startsWith("durability=scratch")) {
            throw new ErrnoException("setxattr", Errnos.EPERM, p + " " + word);
        }
        if (unreachable.contains(p)) {
            errors.put(p, "az://c: put \"f\" failed without an answer from Azure: Connection refused");
            throw new ErrnoException("setxattr", Errnos.EIO, p + " " + word);
        }
        requests.add(word + " " + root.relativize(p));
        String s = currentState(p);
        switch (word) {
            case "archive" -> {
                if (s.equals("lost")) { // as HsmTiering: a lost file is not archived again
                    throw new ErrnoException("setxattr", Errnos.EIO, p + " " + word);
                }
                if (s.equals("resident") || s.equals("dirty")) {
                    states.put(p, "archiving");
                    progress.put(p, 0);
                }
            }
            case "release" -> {
                if (!s.equals("archived") && !s.equals("released")) {
                    throw new ErrnoException("setxattr", Errnos.EPERM, p + " " + word);
                }
                if (open.contains(p)) {
                    throw new ErrnoException("setxattr", Errnos.EBUSY, p + " " + word);
                }
                states.put(p, "released");
            }
            default -> {
                if (s.equals("released")) {
                    progress.put(p, 0);
                }
            }
        }
    }

    /** The state as a reader sees it; reading moves a pending archive or restore along. */
    private String state(Path p) {
        Integer polls = progress.get(p);
        if (polls != null && !stuck.contains(p)) {
            if (polls + 1 >= pollsToFinish) {
                progress.remove(p);
                String error = failing.remove(p);
                if (error != null) {
                    errors.put(p, error);
                }
                states.put(p, error != null ? "lost" : "archived");
            } else {
                progress.put(p, polls + 1);
            }
        }
        return currentState(p);
    }

    private String currentState(Path p) {
        return Files.isDirectory(p) ? "directory" : states.getOrDefault(p, "resident");
    }

    private String effective(Path p) {
        for (Path at = Files.isDirectory(p) ? p : p.getParent(); at != null && at.startsWith(root); at = at.getParent()) {
            String own = policies.get(at);
            if (own != null) {
                return own + " from-ino=" + ino(at);
            }
        }
        return "durability=async max-dirty-age=300s from-ino=" + ino(root);
    }

    private String queue() {
        StringBuilder b = new StringBuilder("archive ready=0 waiting=0 leased=0 dead=" + deadLetters.size()
                + " oldest-age-s=0\n");
        deadLetters.forEach((id, key) ->
                b.append("dead id=").append(id).append(" kind=archive key=").append(key)
                        .append(" attempts=10 error=HTTP 403 AuthorizationFailure\n"));
        return b.toString();
    }

    private static long ino(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path key(Path path, boolean noFollow) {
        Path abs = path.toAbsolutePath().normalize();
        if (noFollow) {
            return abs;
        }
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            return abs;
        }
    }

    private static void exists(Path p, String name, String call) throws ErrnoException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new ErrnoException(call, Errnos.ENOENT, p + " " + name);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
