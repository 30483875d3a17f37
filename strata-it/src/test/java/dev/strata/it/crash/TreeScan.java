package dev.strata.it.crash;

import dev.strata.it.diff.PosixCalls;
import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A walk of the whole mounted tree through ordinary system calls: every entry is stat'ed, every
 * regular file read to its end, its id xattr read, every directory listed. What could not be done
 * is collected in {@link #problems} instead of stopping the walk. Also the checks that need the
 * whole tree: link counts against the names found, the fast tier's files against the inodes, the
 * inode count statfs reports, and what {@code ls} and {@code du} make of it.
 */
final class TreeScan {
    /** One directory entry as seen through the mount. */
    record Node(String path, char type, long ino, int nlink, long size, String id, byte[] content, String target) {}

    private static final Pattern DATA_FILE = Pattern.compile("[0-9a-f]{2}/([0-9a-f]{16})");

    final Path mount;
    /** By path relative to the mount, "." for the root, in walk order. */
    final Map<String, Node> nodes = new TreeMap<>();
    final List<String> problems = new ArrayList<>();
    final Map<String, List<String>> listings = new HashMap<>();

    private TreeScan(Path mount) {
        this.mount = mount;
    }

    /** Files are read by this many threads: the server serves requests in parallel too. */
    static final int READERS = 4;

    static TreeScan of(Path mount) throws InterruptedException {
        TreeScan s = new TreeScan(mount);
        s.visit(".");
        s.readFiles();
        s.checkLinkCounts();
        return s;
    }

    /** Reads every regular file's content and id xattr, in parallel; the walk itself only stats and lists. */
    private void readFiles() throws InterruptedException {
        List<Node> files = nodes.values().stream().filter(n -> n.type() == 'F').toList();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(READERS)) {
            List<java.util.concurrent.Future<Node>> done = new ArrayList<>();
            for (Node n : files) {
                done.add(pool.submit(() -> read(n)));
            }
            for (var f : done) {
                try {
                    Node n = f.get();
                    nodes.put(n.path(), n);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("reading a file failed unexpectedly", e.getCause());
                }
            }
        }
    }

    private Node read(Node n) {
        Path p = mount.resolve(n.path());
        byte[] content = null;
        try {
            content = Files.readAllBytes(p);
            if (content.length != n.size()) {
                problem(n.path() + ": stat says " + n.size() + " bytes, reading gives " + content.length);
            }
        } catch (IOException e) {
            problem("cannot read " + n.path() + ": " + e);
        }
        PosixCalls.Result<byte[]> id = PosixCalls.getxattr(p, WorkloadThread.ID_XATTR);
        String idText = id.ok() ? new String(id.value(), StandardCharsets.UTF_8) : null;
        if (!id.ok() && id.errno() != 61) {
            problem("cannot read the id xattr of " + n.path() + ": " + PosixCalls.errnoName(id.errno()));
        }
        return new Node(n.path(), 'F', n.ino(), n.nlink(), n.size(), idText, content, null);
    }

    private void problem(String p) {
        synchronized (problems) {
            problems.add(p);
        }
    }

    private void visit(String rel) {
        Path p = rel.equals(".") ? mount : mount.resolve(rel);
        PosixCalls.Result<Libc.Statx> st = PosixCalls.stat(p, true);
        if (!st.ok()) {
            problems.add("cannot stat " + rel + ": " + PosixCalls.errnoName(st.errno()));
            return;
        }
        Libc.Statx x = st.value();
        int fmt = x.mode() & 0170000;
        switch (fmt) {
            case 0040000 -> {
                nodes.put(rel, new Node(rel, 'D', x.ino(), x.nlink(), x.size(), null, null, null));
                List<String> names = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                    for (Path c : ds) {
                        names.add(c.getFileName().toString());
                    }
                } catch (IOException e) {
                    problems.add("cannot list " + rel + ": " + e);
                }
                names.sort(null);
                listings.put(rel, names);
                for (String n : names) {
                    visit(rel.equals(".") ? n : rel + "/" + n);
                }
            }
            case 0100000 -> nodes.put(rel, new Node(rel, 'F', x.ino(), x.nlink(), x.size(), null, null, null));
            case 0120000 -> {
                PosixCalls.Result<String> t = PosixCalls.readlink(p);
                if (!t.ok()) {
                    problems.add("cannot readlink " + rel + ": " + PosixCalls.errnoName(t.errno()));
                }
                nodes.put(rel, new Node(rel, 'L', x.ino(), x.nlink(), x.size(), null, null, t.value()));
            }
            default -> nodes.put(rel, new Node(rel, 'O', x.ino(), x.nlink(), x.size(), null, null, null));
        }
    }

    /** Every non-directory's link count is the number of names found; a directory's is 2 + subdirectories. */
    private void checkLinkCounts() {
        Map<Long, List<Node>> byIno = byIno();
        for (List<Node> names : byIno.values()) {
            Node first = names.getFirst();
            if (first.type() == 'D') {
                if (names.size() != 1) {
                    problems.add("directory inode " + first.ino() + " has several names: " + paths(names));
                }
                long subdirs = listings.getOrDefault(first.path(), List.of()).stream()
                        .filter(n -> nodeAt(first.path(), n) != null && nodeAt(first.path(), n).type() == 'D').count();
                if (first.nlink() != 2 + subdirs) {
                    problems.add("directory " + first.path() + " has nlink " + first.nlink() + " but " + subdirs
                            + " subdirectories");
                }
            } else {
                for (Node n : names) {
                    if (n.nlink() != names.size()) {
                        problems.add(n.path() + " has nlink " + n.nlink() + " but the tree holds " + names.size()
                                + " name(s) of inode " + n.ino() + ": " + paths(names));
                    }
                    if (n.type() != first.type()) {
                        problems.add("inode " + n.ino() + " has names of different types: " + paths(names));
                    }
                }
            }
        }
    }

    private Node nodeAt(String dir, String name) {
        return nodes.get(dir.equals(".") ? name : dir + "/" + name);
    }

    Map<Long, List<Node>> byIno() {
        Map<Long, List<Node>> m = new TreeMap<>();
        for (Node n : nodes.values()) {
            m.computeIfAbsent(n.ino(), k -> new ArrayList<>()).add(n);
        }
        return m;
    }

    /** The sum of st_size over distinct inodes: what {@code du -sb} (apparent size) must print. */
    long apparentBytes() {
        long sum = 0;
        for (List<Node> names : byIno().values()) {
            sum += names.getFirst().size();
        }
        return sum;
    }

    /**
     * The fast tier holds exactly one data file per regular-file inode that has data: a data file
     * of no inode in the tree is leaked space (with nothing open, nothing can still use it), and a
     * non-empty file without data lost its bytes.
     */
    List<String> checkDataDirectory(Path dataRoot) throws IOException {
        List<String> out = new ArrayList<>();
        Set<Long> dataInos = new HashSet<>();
        try (var files = Files.walk(dataRoot, 2)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(f) || f.getParent().equals(dataRoot)) {
                    continue;
                }
                Matcher m = DATA_FILE.matcher(dataRoot.relativize(f).toString());
                if (!m.matches()) {
                    out.add("unexpected file in the fast tier: " + f);
                    continue;
                }
                dataInos.add(Long.parseUnsignedLong(m.group(1), 16));
            }
        }
        Set<Long> regular = new HashSet<>();
        for (Node n : nodes.values()) {
            if (n.type() == 'F') {
                regular.add(n.ino());
                if (!dataInos.contains(n.ino()) && n.size() > 0) {
                    out.add(n.path() + " (inode " + n.ino() + ", " + n.size() + " bytes) has no data file");
                }
            }
        }
        for (long ino : dataInos) {
            if (!regular.contains(ino)) {
                out.add("the fast tier holds data of inode " + ino + ", which no name in the tree leads to (leaked)");
            }
        }
        return out;
    }

    /** Inodes in use as statfs reports them (f_files - f_ffree) must be the inodes found. */
    List<String> checkInodeCount() {
        int fd = PosixCalls.open(mount, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            return List.of("cannot open the mount root: " + PosixCalls.errnoName(-fd));
        }
        try {
            Libc.StatVfs v = Libc.fstatvfs(fd);
            long used = v.files() - v.freeFiles();
            long found = byIno().size();
            return used == found ? List.of()
                    : List.of("statfs reports " + used + " inodes in use, the tree holds " + found);
        } catch (IOException e) {
            return List.of("statfs of the mount failed: " + e.getMessage());
        } finally {
            PosixCalls.close(fd);
        }
    }

    /** {@code ls -laR} lists everything without an error; {@code du -sb} agrees with the walk. */
    List<String> checkLsAndDu() throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        Run ls = Run.of("ls", "-laR", mount.toString());
        if (ls.code() != 0 || !ls.err().isEmpty() || ls.out().contains("?????????")) {
            out.add("ls -laR exited " + ls.code() + ": " + ls.err().lines().limit(5).toList());
        }
        Run du = Run.of("du", "-sb", mount.toString());
        if (du.code() != 0 || !du.err().isEmpty()) {
            out.add("du -sb exited " + du.code() + ": " + du.err().lines().limit(5).toList());
        } else {
            long bytes = Long.parseLong(du.out().split("\\s+")[0]);
            if (bytes != apparentBytes()) {
                out.add("du -sb says " + bytes + " bytes, the walk sums " + apparentBytes());
            }
        }
        Run duk = Run.of("du", "-sk", mount.toString());
        if (duk.code() != 0 || !duk.err().isEmpty()) {
            out.add("du -sk exited " + duk.code() + ": " + duk.err().lines().limit(5).toList());
        }
        return out;
    }

    /** Everything below {@code prefix}: type, size, content checksum, id and link count, for stability checks. */
    Map<String, String> summary(String prefix) {
        Map<String, String> m = new TreeMap<>();
        for (Node n : nodes.values()) {
            if (n.path().equals(prefix) || n.path().startsWith(prefix + "/")) {
                String content = n.content() == null ? "" : Long.toHexString(FileImage.crc(n.content(), n.content().length));
                m.put(n.path(), n.type() + " size=" + (n.type() == 'D' ? "-" : n.size()) + " nlink=" + n.nlink()
                        + " id=" + n.id() + " crc=" + content);
            }
        }
        return m;
    }

    private static List<String> paths(List<Node> names) {
        return names.stream().map(Node::path).toList();
    }

    /** A finished child process: exit code and output. */
    record Run(int code, String out, String err) {
        static Run of(String... cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).start();
            var outF = java.util.concurrent.CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
            var errF = java.util.concurrent.CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-1, "", String.join(" ", cmd) + " did not finish within 60 s");
            }
            return new Run(p.exitValue(), outF.join(), errF.join());
        }

        private static String slurp(java.io.InputStream in) {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(" + e + ")";
            }
        }
    }
}
