package dev.strata.it.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the acknowledgement logs promise, and the check of a recovered tree against it.
 *
 * <p><b>Names.</b> A directory's last {@code D} line is its durable content. A name touched by an
 * intent after that line (create, rename from or to, link, unlink, mkdir) may be in any of the
 * states those intents lead through, because the call may or may not have happened; every other
 * name must be exactly as acknowledged, and no name may appear that nothing explains.
 *
 * <p><b>Contents.</b> A file's last {@code S} line is durable: rebuilding the writes and truncates
 * up to it gives the acknowledged bytes (its CRC in the line checks the rebuild). Writes and
 * truncates after it may or may not have happened, wholly or in part. So each byte must be the
 * acknowledged one, unless a later write covers it (then it may also be that write's byte) or a
 * later truncate cut at or below it (then it may also be zero or missing); bytes past the
 * acknowledged size may only be zero or a later write's. A file with no {@code S} line has an
 * empty acknowledged content.
 */
final class AckModel {
    static final String ABSENT = "(absent)";
    static final String DIRECTORY = "/";

    /** A directory's acknowledged entries (null: never acknowledged) and the names touched since. */
    private static final class DirState {
        Map<String, String> acked;
        final Map<String, Set<String>> touched = new LinkedHashMap<>();
    }

    private final Map<String, DirState> dirs = new LinkedHashMap<>();
    private final Map<String, List<String[]>> fileOps = new HashMap<>();
    private int lines;

    /** Reads the logs in order (the rounds ran one after another); a torn last line is dropped. */
    static AckModel read(List<Path> logs) throws IOException {
        AckModel m = new AckModel();
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                continue;
            }
            for (String line : text.substring(0, end).split("\n")) {
                m.apply(line.split(" "));
            }
        }
        return m;
    }

    int lines() {
        return lines;
    }

    private void apply(String[] f) {
        lines++;
        switch (f[0]) {
            case "C" -> {
                fileOps.computeIfAbsent(f[1], k -> new ArrayList<>());
                touch(f[2], f[1]);
            }
            case "W", "T", "S" -> fileOps.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f);
            case "K" -> touch(f[1], DIRECTORY);
            case "R" -> {
                touch(f[2], ABSENT);
                touch(f[3], f[1]);
            }
            case "L" -> touch(f[3], f[1]);
            case "U" -> touch(f[2], ABSENT);
            case "D" -> {
                DirState d = dir(f[1]);
                d.acked = new LinkedHashMap<>();
                if (!f[2].equals("-")) {
                    for (String e : f[2].split(",")) {
                        int colon = e.lastIndexOf(':');
                        d.acked.put(e.substring(0, colon), e.substring(colon + 1));
                    }
                }
                d.touched.clear();
            }
            default -> throw new IllegalStateException("unknown log line: " + String.join(" ", f));
        }
    }

    private void touch(String path, String target) {
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "." : path.substring(0, slash);
        dir(parent).touched.computeIfAbsent(path.substring(slash + 1), k -> new LinkedHashSet<>()).add(target);
    }

    private DirState dir(String path) {
        return dirs.computeIfAbsent(path, k -> new DirState());
    }

    /** Problems of the tree against the logs; empty if everything promised is there. */
    List<String> check(TreeScan scan) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> listing : scan.listings.entrySet()) {
            checkDirectory(scan, listing.getKey(), listing.getValue(), out);
        }
        for (Map.Entry<String, DirState> e : dirs.entrySet()) {
            if (!scan.listings.containsKey(e.getKey()) && e.getValue().acked != null && !mayBeAbsent(e.getKey())) {
                out.add("directory " + e.getKey() + " was acknowledged but is gone");
            }
        }
        Map<String, Long> inoOfId = new HashMap<>();
        for (TreeScan.Node n : scan.nodes.values()) {
            if (n.type() != 'F' || n.id() == null) {
                continue;
            }
            Long other = inoOfId.putIfAbsent(n.id(), n.ino());
            if (other != null && other != n.ino()) {
                out.add("file " + n.id() + " appears as two inodes, " + other + " and " + n.ino());
            }
            List<String[]> ops = fileOps.get(n.id());
            if (ops == null) {
                out.add(n.path() + " carries id " + n.id() + ", which the logs never created");
            } else if (n.content() != null) {
                String p = checkContent(n.id(), ops, n.content());
                if (p != null) {
                    out.add(n.path() + " (" + n.id() + "): " + p);
                }
            }
        }
        return out;
    }

    private boolean mayBeAbsent(String path) {
        if (path.equals(".")) {
            return false;
        }
        int slash = path.lastIndexOf('/');
        DirState parent = dirs.get(slash < 0 ? "." : path.substring(0, slash));
        String name = path.substring(slash + 1);
        return parent == null || parent.touched.containsKey(name)
                || parent.acked == null || !parent.acked.containsKey(name);
    }

    private void checkDirectory(TreeScan scan, String dir, List<String> names, List<String> out) {
        DirState d = dirs.get(dir);
        Map<String, String> acked = d == null || d.acked == null ? Map.of() : d.acked;
        Map<String, Set<String>> touched = d == null ? Map.of() : d.touched;
        Set<String> all = new TreeSet<>(names);
        all.addAll(acked.keySet());
        for (String name : all) {
            String got = names.contains(name) ? targetOf(scan.nodes.get(dir.equals(".") ? name : dir + "/" + name))
                    : ABSENT;
            Set<String> allowed = new LinkedHashSet<>();
            allowed.add(acked.getOrDefault(name, ABSENT));
            allowed.addAll(touched.getOrDefault(name, Set.of()));
            if (got.equals("?") && touched.containsKey(name)) {
                continue; // created just before the kill, before its id xattr was set
            }
            if (!allowed.contains(got)) {
                String where = dir + "/" + name;
                if (got.equals(ABSENT)) {
                    out.add(where + " is missing: it was acknowledged as " + acked.get(name));
                } else if (!acked.containsKey(name) && !touched.containsKey(name)) {
                    out.add(where + " (" + got + ") exists but no logged operation created it");
                } else {
                    out.add(where + " is " + got + " but may only be one of " + allowed);
                }
            }
        }
    }

    private static String targetOf(TreeScan.Node n) {
        if (n == null) {
            return "?";
        }
        return switch (n.type()) {
            case 'D' -> DIRECTORY;
            case 'F' -> n.id() == null ? "?" : n.id();
            default -> "(type " + n.type() + ")";
        };
    }

    /** Null if {@code actual} is a content the logged operations allow, else what is wrong. */
    static String checkContent(String id, List<String[]> ops, byte[] actual) {
        // The common cases first: nothing after the last fsync, or everything logged happened.
        FileImage all = new FileImage();
        for (String[] op : ops) {
            switch (op[0]) {
                case "W" -> all.write(Long.parseLong(op[2]), FileImage.block(Long.parseLong(op[4]), Integer.parseInt(op[3])));
                case "T" -> all.truncate(Long.parseLong(op[2]));
                default -> { }
            }
        }
        if (java.util.Arrays.equals(all.content(), actual)) {
            return null;
        }
        return checkBytes(id, ops, actual);
    }

    private static String checkBytes(String id, List<String[]> ops, byte[] actual) {
        int lastAck = -1;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i)[0].equals("S")) {
                lastAck = i;
            }
        }
        FileImage acked = new FileImage();
        for (int i = 0; i <= lastAck; i++) {
            String[] op = ops.get(i);
            switch (op[0]) {
                case "W" -> acked.write(Long.parseLong(op[2]), FileImage.block(Long.parseLong(op[4]), Integer.parseInt(op[3])));
                case "T" -> acked.truncate(Long.parseLong(op[2]));
                default -> {
                    if (acked.size() != Long.parseLong(op[2]) || acked.crc() != Long.parseLong(op[3])) {
                        throw new IllegalStateException("the log of " + id + " does not rebuild to its own ack "
                                + String.join(" ", op) + " (size " + acked.size() + ", crc " + acked.crc() + "): a test bug");
                    }
                }
            }
        }
        int ackedSize = acked.size();
        int cut = Integer.MAX_VALUE;
        int maxSize = ackedSize;
        int minSize = ackedSize;
        List<long[]> writes = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        for (int i = lastAck + 1; i < ops.size(); i++) {
            String[] op = ops.get(i);
            if (op[0].equals("T")) {
                int size = Integer.parseInt(op[2]);
                cut = Math.min(cut, size);
                minSize = Math.min(minSize, size);
                maxSize = Math.max(maxSize, size);
            } else {
                long off = Long.parseLong(op[2]);
                int len = Integer.parseInt(op[3]);
                writes.add(new long[] {off, off + len});
                data.add(FileImage.block(Long.parseLong(op[4]), len));
                maxSize = (int) Math.max(maxSize, off + len);
            }
        }
        if (actual.length < minSize || actual.length > maxSize) {
            return "size " + actual.length + " is outside what the log allows [" + minSize + ", " + maxSize
                    + "] (acknowledged " + ackedSize + ")";
        }
        for (int p = 0; p < Math.max(actual.length, ackedSize); p++) {
            boolean covered = p >= cut;
            for (long[] w : writes) {
                covered |= p >= w[0] && p < w[1];
            }
            if (p >= actual.length) {
                if (p < cut) {
                    return "acknowledged byte " + p + " is missing (size " + actual.length + ", acknowledged " + ackedSize + ")";
                }
                continue;
            }
            byte b = actual[p];
            if (b == acked.byteAt(p) && (p < ackedSize || b == 0)) {
                continue;
            }
            if (b == 0 && (p >= cut || p >= ackedSize)) {
                continue;
            }
            boolean fromWrite = false;
            for (int w = 0; w < writes.size() && !fromWrite; w++) {
                long[] r = writes.get(w);
                fromWrite = p >= r[0] && p < r[1] && data.get(w)[(int) (p - r[0])] == b;
            }
            if (!fromWrite) {
                return "byte " + p + " is " + b + ", acknowledged " + acked.byteAt(p) + (covered
                        ? " and no later write put it there" : " and nothing later touched it") + " (size "
                        + actual.length + ", acknowledged size " + ackedSize + ", " + writes.size() + " later writes)";
            }
        }
        return null;
    }

    /** For the report: files and directories the logs acknowledged. */
    String summary() {
        long files = fileOps.values().stream().filter(o -> o.stream().anyMatch(op -> op[0].equals("S"))).count();
        long ackedDirs = dirs.values().stream().filter(d -> d.acked != null).count();
        return lines + " log lines, " + fileOps.size() + " files (" + files + " with fsynced content), " + ackedDirs
                + " directories with fsynced entries";
    }
}
