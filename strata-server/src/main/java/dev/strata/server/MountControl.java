package dev.strata.server;

import static dev.strata.nativeio.Errnos.EACCES;
import static dev.strata.nativeio.Errnos.EBUSY;
import static dev.strata.nativeio.Errnos.EINVAL;
import static dev.strata.nativeio.Errnos.EIO;
import static dev.strata.nativeio.Errnos.ENODATA;
import static dev.strata.nativeio.Errnos.ENOENT;
import static dev.strata.nativeio.Errnos.ENOTCONN;
import static dev.strata.nativeio.Errnos.ENOTDIR;
import static dev.strata.nativeio.Errnos.EOPNOTSUPP;
import static dev.strata.nativeio.Errnos.EPERM;
import static dev.strata.nativeio.Errnos.EROFS;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Errnos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The client side of docs/CONTROL-XATTRS.md: reads and writes Strata's virtual attributes on paths
 * inside a mount, and turns every errno into one line a user can act on. The {@code hsm},
 * {@code policy} and {@code status} commands make no xattr call of their own.
 *
 * <p>"Not on a Strata mount": elsewhere the kernel answers ENODATA for our names (or EOPNOTSUPP on a
 * file system without user attributes). Setting an attribute there would succeed and store it, so
 * every write is preceded by a read that proves the path is on a Strata mount.
 */
final class MountControl {
    static final String STATE = "user.strata.hsm.state";
    static final String INFO = "user.strata.hsm.info";
    static final String REQUEST = "user.strata.hsm.request";
    static final String POLICY = "user.strata.policy";
    static final String EFFECTIVE_POLICY = "user.strata.policy.effective";
    static final String STATUS = "user.strata.status";
    static final String QUEUE = "user.strata.hsm.queue";

    /** The values of {@link #REQUEST}. */
    enum Request {
        ARCHIVE, RELEASE, RESTORE;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A file to act on: named on the command line (a symlink there is followed) or found by walking
     * a directory ({@code walked}: symlinks are not followed).
     */
    record Target(Path path, boolean walked) {
        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** The effective policy text without its source, and the inode that sets it (-1 if not given). */
    record Effective(String policy, long fromIno) {
        String durability() {
            return parseWords(policy).getOrDefault("durability", "");
        }
    }

    private final Xattrs xattrs;

    MountControl(Xattrs xattrs) {
        this.xattrs = xattrs;
    }

    // ---- reads ----

    String state(Target t) throws CliException {
        return read(t, STATE, "read the state of").strip();
    }

    Map<String, String> info(Target t) throws CliException {
        return parseLines(read(t, INFO, "read the HSM record of"));
    }

    Effective effectivePolicy(Path p) throws CliException {
        return parseEffective(read(new Target(p, false), EFFECTIVE_POLICY, "read the policy of"));
    }

    /** The directory's own policy; call after {@link #effectivePolicy} has shown that it is on a mount. */
    Optional<String> ownPolicy(Path dir) throws CliException {
        try {
            return Optional.of(text(xattrs.get(dir, POLICY, false)).strip());
        } catch (ErrnoException e) {
            if (e.errno() == ENODATA) {
                return Optional.empty();
            }
            throw new CliException(explain(new Target(dir, false), "read the policy of", e.errno()));
        }
    }

    String status(Path p) throws CliException {
        return read(new Target(p, false), STATUS, "read the status at");
    }

    String queue(Path p) throws CliException {
        return read(new Target(p, false), QUEUE, "read the queue at");
    }

    // ---- writes ----

    /** Sends {@code r}; the caller has read the state first, so {@code t} is on a mount. */
    void request(Target t, Request r) throws CliException {
        try {
            xattrs.set(t.path(), REQUEST, bytes(r.word()), t.walked());
        } catch (ErrnoException e) {
            throw new CliException(requestFailed(t, r, e.errno()));
        }
    }

    void setPolicy(Path dir, String value) throws CliException {
        try {
            xattrs.set(dir, POLICY, bytes(value), false);
        } catch (ErrnoException e) {
            throw new CliException(switch (e.errno()) {
                case EINVAL -> "Strata refused the policy '" + value + "' for " + dir + " (EINVAL)";
                case ENOTDIR -> dir + " is not a directory: a policy is set on a directory and applies to everything"
                        + " below it";
                default -> explain(new Target(dir, false), "set the policy of", e.errno());
            });
        }
    }

    /** Removes the directory's own policy; false if it had none. */
    boolean removePolicy(Path dir) throws CliException {
        try {
            xattrs.remove(dir, POLICY, false);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == ENODATA) {
                return false;
            }
            throw new CliException(explain(new Target(dir, false), "remove the policy of", e.errno()));
        }
    }

    /**
     * {@code retry ID} or {@code discard ID} for a dead letter. The mount answers ENOENT for an id
     * that is not a dead letter (the path itself was just read, so it exists) and EINVAL for a
     * command it cannot parse.
     */
    void queueCommand(Path p, String verb, String id) throws CliException {
        try {
            xattrs.set(p, QUEUE, bytes(verb + " " + id), false);
        } catch (ErrnoException e) {
            throw new CliException(switch (e.errno()) {
                case ENOENT -> "no dead letter with id " + id + " at " + p + " (./strata hsm queue lists them)";
                case EINVAL -> "the mount at " + p + " refused '" + verb + " " + id + "' (EINVAL)";
                default -> explain(new Target(p, false), verb + " a dead letter at", e.errno());
            });
        }
    }

    /** A lost file, with the error its HSM record keeps. */
    String lost(Target t) {
        String error = quietly(() -> info(t).get("error")).orElse("");
        return t + " is lost: " + (error.isEmpty() ? "no error recorded (the mount's log says why)" : error);
    }

    // ---- what errors mean ----

    private String read(Target t, String name, String action) throws CliException {
        try {
            return text(xattrs.get(t.path(), name, t.walked()));
        } catch (ErrnoException e) {
            throw new CliException(explain(t, action, e.errno()));
        }
    }

    /** An errno from any control call, in words; for a request, see {@link #requestFailed}. */
    static String explain(Target t, String action, int errno) {
        Path p = t.path();
        return switch (errno) {
            case ENODATA, EOPNOTSUPP -> special(t) ? p + " is not a regular file or directory: Strata keeps no state for it"
                    : p + " is not on a Strata mount";
            case ENOENT -> p + ": no such file or directory";
            case ENOTDIR -> p + ": a component of the path is not a directory";
            case EACCES -> p + ": permission denied (cannot " + action + " it)";
            case ENOTCONN -> p + " is on a Strata mount whose process has ended; mount it again with"
                    + " ./strata mount (that clears the stale mount)";
            case EROFS -> p + " is on a read-only mount";
            default -> p + ": cannot " + action + " it: " + Errnos.describe(errno);
        };
    }

    /** An errno from a request, in words; reads the state and policy where they say why. */
    String requestFailed(Target t, Request r, int errno) {
        Path p = t.path();
        return switch (errno) {
            case EBUSY -> p + " is open; close it first";
            case EINVAL -> p + " is not a regular file";
            case EPERM -> notPermitted(t, r);
            case EIO -> quietly(() -> state(t)).filter("lost"::equals).isPresent() ? lost(t)
                    : p + ": the capacity tier could not be reached: "
                            + quietly(() -> info(t).get("error")).filter(e -> !e.isEmpty()).orElse("the mount's log says why")
                            + " (./strata status shows the store)";
            default -> explain(t, r.word(), errno);
        };
    }

    /** EPERM: the kernel's refusal for a non-regular file, a scratch policy, or release of a file not archived. */
    private String notPermitted(Target t, Request r) {
        Path p = t.path();
        if (special(t) || Files.isDirectory(p)) {
            return p + " is not a regular file";
        }
        Optional<Effective> policy = quietly(() -> effectivePolicy(p));
        if (policy.isPresent() && policy.get().durability().equals("scratch")) {
            String dir = policySource(p, policy.get().fromIno()).map(Path::toString).orElse("DIR");
            return p + " is under a scratch policy (set on " + dir + "), so it is never archived; change it with"
                    + " ./strata policy set " + dir + " --durability async";
        }
        if (r == Request.RELEASE) {
            String state = quietly(() -> state(t)).orElse("not archived");
            return p + " is " + state + ", not archived: archive it first (./strata hsm archive " + p + ")";
        }
        return p + ": " + r.word() + " is not permitted (EPERM)";
    }

    /** Whether the path exists and is neither a regular file nor a directory. */
    private static boolean special(Target t) {
        LinkOption[] options = t.walked() ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        try {
            BasicFileAttributes a = Files.readAttributes(t.path(), BasicFileAttributes.class, options);
            return !a.isRegularFile() && !a.isDirectory();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The directory whose inode is {@code ino}: {@code p} itself or one of its ancestors on the same
     * file system (Strata's inode numbers are the ones {@code stat} shows). Empty if none is.
     */
    static Optional<Path> policySource(Path p, long ino) {
        if (ino < 0) {
            return Optional.empty();
        }
        try {
            Path at = p.toAbsolutePath().normalize();
            Object dev = Files.getAttribute(at, "unix:dev");
            for (; at != null; at = at.getParent()) {
                if (!Files.getAttribute(at, "unix:dev").equals(dev)) {
                    return Optional.empty();
                }
                if (((Number) Files.getAttribute(at, "unix:ino")).longValue() == ino) {
                    return Optional.of(at);
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // Only used to name the directory in a message; the inode number is shown instead.
        }
        return Optional.empty();
    }

    @FunctionalInterface
    private interface Lookup<T> {
        T get() throws CliException;
    }

    /** A lookup made only to word a message better: its own failure is no news. */
    private static <T> Optional<T> quietly(Lookup<T> lookup) {
        try {
            return Optional.ofNullable(lookup.get());
        } catch (CliException e) {
            return Optional.empty();
        }
    }

    // ---- formats ----

    /** {@code key=value} lines (the HSM record): the value is the rest of the line. */
    static Map<String, String> parseLines(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return m;
    }

    /** Space-separated {@code key=value} words (a policy). */
    static Map<String, String> parseWords(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String word : text.strip().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                m.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return m;
    }

    /** {@code durability=async max-dirty-age=300s from-ino=1}: the policy words and the source inode. */
    static Effective parseEffective(String text) {
        StringBuilder policy = new StringBuilder();
        long ino = -1;
        for (String word : text.strip().split("\\s+")) {
            if (word.startsWith("from-ino=")) {
                try {
                    ino = Long.parseLong(word.substring("from-ino=".length()));
                } catch (NumberFormatException e) {
                    ino = -1;
                }
            } else if (!word.isEmpty()) {
                policy.append(policy.isEmpty() ? "" : " ").append(word);
            }
        }
        return new Effective(policy.toString(), ino);
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
