package dev.strata.it.diff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs a sequence of {@link Op}s step by step on the local disk and on the mount, each in a fresh
 * directory, and reports the first disagreement: of a step's outcome, or of the whole trees, which
 * are compared every {@code compareEvery} steps and at the end.
 */
final class DiffRunner {
    /** Where and how the two sides first disagreed. {@code kind} stays stable while shrinking. */
    record Mismatch(int step, String kind, String detail) {
        @Override
        public String toString() {
            return "step " + step + " (" + kind + "): " + detail;
        }
    }

    /** A generated sequence and its first mismatch, if any. */
    record Outcome(List<Op> ops, Mismatch mismatch) {}

    private final Path localBase;
    private final Path mountBase;
    private int runs;

    DiffRunner(Path localBase, Path mountBase) throws IOException {
        this.localBase = localBase;
        this.mountBase = mountBase;
        Files.createDirectories(localBase);
        Files.createDirectories(mountBase);
    }

    int runs() {
        return runs;
    }

    /** Generates {@code length} steps from {@code seed} against the local tree, running each at once. */
    Outcome generate(long seed, int length, int compareEvery) throws IOException {
        OpGenerator gen = new OpGenerator(seed);
        List<Op> ops = new ArrayList<>();
        try (Side local = side("local", localBase); Side mount = side("mount", mountBase)) {
            for (int i = 0; i < length; i++) {
                boolean[] open = new boolean[Side.SLOTS];
                for (int k = 0; k < Side.SLOTS; k++) {
                    open[k] = local.fd(k) >= 0;
                }
                Op op = gen.next(tree(local.root), open);
                ops.add(op);
                Mismatch m = step(i, op, local, mount, (i + 1) % compareEvery == 0 || i == length - 1);
                if (m != null) {
                    return new Outcome(ops, m);
                }
            }
        }
        return new Outcome(ops, null);
    }

    /** Replays {@code ops}, comparing trees only after the last step (and outcomes after each). */
    Mismatch replay(List<Op> ops) throws IOException {
        try (Side local = side("local", localBase); Side mount = side("mount", mountBase)) {
            for (int i = 0; i < ops.size(); i++) {
                Mismatch m = step(i, ops.get(i), local, mount, i == ops.size() - 1);
                if (m != null) {
                    return m;
                }
            }
            if (ops.isEmpty()) {
                return compareTrees(0, local, mount);
            }
        }
        return null;
    }

    private Mismatch step(int i, Op op, Side local, Side mount, boolean compare) {
        String a = op.apply(local);
        String b = op.apply(mount);
        if (!a.equals(b)) {
            return new Mismatch(i, op.getClass().getSimpleName(), op.java() + " -> local " + a + " | mount " + b);
        }
        return compare ? compareTrees(i, local, mount) : null;
    }

    private static Mismatch compareTrees(int i, Side local, Side mount) {
        List<String> d = TreeSnapshot.of(local.root).diff(TreeSnapshot.of(mount.root));
        if (d.isEmpty()) {
            return null;
        }
        String first = d.getFirst();
        String kind = first.startsWith("hard-link") ? "tree: links"
                : first.startsWith("mtime") ? "tree: mtime order"
                : first.startsWith("ctime") ? "tree: ctime order"
                : first.contains("only on the mount") || first.contains("missing on the mount") ? "tree: names"
                : "tree: entry";
        return new Mismatch(i, kind, String.join("\n  ", d.subList(0, Math.min(8, d.size()))));
    }

    private Side side(String name, Path base) throws IOException {
        Path root = base.resolve("s" + runs);
        Files.createDirectory(root);
        if (name.equals("mount")) {
            runs++;
        }
        return new Side(name, root);
    }

    /** The local tree below {@code root}: relative path to 'D', 'F', 'L' (or 'O'), "" for the root. */
    static Map<String, Character> tree(Path root) throws IOException {
        Map<String, Character> t = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                char type = Files.isSymbolicLink(p) ? 'L'
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? 'D'
                        : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? 'F' : 'O';
                t.put(root.relativize(p).toString(), type);
            }
        }
        return t;
    }
}
