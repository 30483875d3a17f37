package dev.strata.it.diff;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything under a root that must agree between the local disk and the mount: per entry the type,
 * permissions, link count, size (not of directories, whose size is the file system's business),
 * content, symlink target and user xattrs; across entries the hard-link groups and the order of
 * modification and change times. Read with the same system calls on both sides.
 */
final class TreeSnapshot {
    /** One entry: {@code text} must be equal; ino and the times are compared across entries. */
    record Entry(String text, long ino, long mtimeNanos, long ctimeNanos) {}

    final Map<String, Entry> entries = new TreeMap<>();

    static TreeSnapshot of(Path root) {
        TreeSnapshot s = new TreeSnapshot();
        s.visit(root, "");
        return s;
    }

    private void visit(Path root, String rel) {
        Path p = rel.isEmpty() ? root : root.resolve(rel);
        PosixCalls.Result<Libc.Statx> st = PosixCalls.stat(p, true);
        if (!st.ok()) {
            entries.put(rel, new Entry("stat failed: " + PosixCalls.errnoName(st.errno()), 0, 0, 0));
            return;
        }
        Libc.Statx x = st.value();
        StringBuilder text = new StringBuilder(Op.stat(x));
        int type = x.mode() & 0170000;
        List<String> children = new ArrayList<>();
        if (type == 0100000) {
            try {
                text.append(" content ").append(Op.summary(Files.readAllBytes(p)));
            } catch (IOException e) {
                text.append(" unreadable: ").append(e.getClass().getSimpleName());
            }
        } else if (type == 0120000) {
            text.append(" -> ").append(PosixCalls.readlink(p));
        } else if (type == 0040000) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                ds.forEach(c -> children.add(c.getFileName().toString()));
            } catch (IOException e) {
                text.append(" unlistable: ").append(e.getClass().getSimpleName());
            }
        }
        if (type != 0120000) {
            PosixCalls.Result<List<String>> names = PosixCalls.listxattr(p);
            if (names.ok()) {
                for (String n : new TreeSet<>(names.value())) {
                    if (n.startsWith("user.")) {
                        PosixCalls.Result<byte[]> v = PosixCalls.getxattr(p, n);
                        text.append(" ").append(n).append("=")
                                .append(v.ok() ? new String(v.value(), StandardCharsets.UTF_8) : v.toString());
                    }
                }
            } else {
                text.append(" listxattr ").append(names);
            }
        }
        long mtime = x.mtimeSec() * 1_000_000_000L + x.mtimeNsec();
        long ctime = x.ctimeSec() * 1_000_000_000L + x.ctimeNsec();
        entries.put(rel, new Entry(text.toString(), x.ino(), mtime, ctime));
        children.sort(null);
        for (String c : children) {
            visit(root, rel.isEmpty() ? c : rel + "/" + c);
        }
    }

    /** The differences from {@code other} (this is the local disk, other the mount); empty if none. */
    List<String> diff(TreeSnapshot other) {
        List<String> out = new ArrayList<>();
        Set<String> all = new TreeSet<>(entries.keySet());
        all.addAll(other.entries.keySet());
        for (String path : all) {
            Entry a = entries.get(path);
            Entry b = other.entries.get(path);
            String name = path.isEmpty() ? "(root)" : path;
            if (a == null || b == null) {
                out.add(name + ": " + (a == null ? "only on the mount: " + b.text() : "missing on the mount: " + a.text()));
            } else if (!a.text().equals(b.text())) {
                out.add(name + ": local " + a.text() + " | mount " + b.text());
            }
        }
        if (!out.isEmpty()) {
            return out;
        }
        Set<Set<String>> groupsHere = linkGroups();
        Set<Set<String>> groupsThere = other.linkGroups();
        if (!groupsHere.equals(groupsThere)) {
            out.add("hard-link groups differ: local " + groupsHere + " | mount " + groupsThere);
        }
        out.addAll(timeOrder(other, true));
        out.addAll(timeOrder(other, false));
        return out;
    }

    /** Names sharing an inode, for every inode with more than one name. */
    private Set<Set<String>> linkGroups() {
        Map<Long, Set<String>> byIno = new TreeMap<>();
        entries.forEach((p, e) -> byIno.computeIfAbsent(e.ino(), k -> new TreeSet<>()).add(p));
        Set<Set<String>> groups = new HashSet<>();
        for (Set<String> g : byIno.values()) {
            if (g.size() > 1) {
                groups.add(g);
            }
        }
        return groups;
    }

    /**
     * Times are compared by order, not value (the two file systems take them at different
     * instants): two entries may not be in opposite strict orders on the two sides. Equal on one
     * side may be either on the other: ext4 takes times at a coarser granularity, and one call
     * that changes two entries (mkdir: the new directory and its parent) may give them one time
     * or two.
     */
    private List<String> timeOrder(TreeSnapshot other, boolean mtime) {
        List<String> out = new ArrayList<>();
        List<String> paths = new ArrayList<>(entries.keySet());
        for (int i = 0; i < paths.size() && out.size() < 3; i++) {
            for (int j = 0; j < paths.size() && out.size() < 3; j++) {
                String p = paths.get(i);
                String q = paths.get(j);
                long a1 = time(entries.get(p), mtime);
                long a2 = time(entries.get(q), mtime);
                long b1 = time(other.entries.get(p), mtime);
                long b2 = time(other.entries.get(q), mtime);
                if (a1 < a2 && b1 > b2) {
                    out.add((mtime ? "mtime" : "ctime") + " order: locally " + name(p) + " < " + name(q)
                            + ", on the mount " + name(p) + " > " + name(q) + " (" + b1 + " vs " + b2 + ")");
                }
            }
        }
        return out;
    }

    private static long time(Entry e, boolean mtime) {
        return mtime ? e.mtimeNanos() : e.ctimeNanos();
    }

    private static String name(String p) {
        return p.isEmpty() ? "(root)" : p;
    }
}
