package dev.strata.it.diff;

import dev.strata.nativeio.Libc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random steps, chosen against the current local tree so that most of them hit existing
 * names (and collide, and cross types) rather than fail with ENOENT. Names come from a small pool
 * so that renames over existing entries, EEXIST and ENOTEMPTY happen often; paths stay a few
 * levels deep; symlink targets are relative and lead to names inside the sequence's root.
 */
final class OpGenerator {
    static final String[] NAMES = {"a", "b", "c", "d", "e"};
    static final int MAX_DEPTH = 3;
    static final String[] XATTRS = {"user.a", "user.b", "user.c"};
    static final int[] FILE_MODES = {0644, 0600, 0755, 0444, 0000, 04755, 02755, 0666, 01644};
    static final int[] DIR_MODES = {0755, 0700, 0777, 0555, 01777, 02755};
    static final int MAX_OFFSET = 64 * 1024;

    private final SplittableRandom rnd;

    OpGenerator(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** The next step, given the local tree (path to type: 'D', 'F', 'L') and which slots are open. */
    Op next(Map<String, Character> tree, boolean[] open) {
        int slot = rnd.nextInt(Side.SLOTS);
        int r = rnd.nextInt(100);
        if (r < 14) {
            return new Op.Open(slot, rnd.nextInt(4) == 0 ? newPath(tree) : anyPath(tree), openFlags(), pick(FILE_MODES));
        }
        if (open[slot] || r < 16) {
            Op op = fileOp(slot, r);
            if (op != null) {
                return op;
            }
        }
        return pathOp(tree, r);
    }

    /** Steps on an open descriptor (the caller saw the slot open, or tries an empty one on purpose). */
    private Op fileOp(int slot, int r) {
        return switch (r % 14) {
            case 0, 1, 2 -> new Op.Pwrite(slot, offset(), length(8192), rnd.nextLong());
            case 3 -> new Op.Write(slot, length(4096), rnd.nextLong());
            case 4, 5 -> new Op.Pread(slot, rnd.nextLong(MAX_OFFSET + 8192), length(8192));
            case 6 -> new Op.Read(slot, length(4096));
            case 7 -> new Op.Lseek(slot, rnd.nextLong(-2, MAX_OFFSET + 8192), rnd.nextInt(5));
            case 8 -> new Op.Ftruncate(slot, rnd.nextInt(8) == 0 ? -1 : rnd.nextLong(MAX_OFFSET + 8192));
            case 9 -> new Op.Fsync(slot, rnd.nextBoolean());
            case 10 -> new Op.Fallocate(slot, pick(new int[] {0, 1, 3, 0x10}), offset(), 1 + rnd.nextInt(16384));
            case 11 -> new Op.CopyRange(slot, offset(), rnd.nextInt(Side.SLOTS), offset(), rnd.nextInt(16384));
            case 12 -> new Op.Fstat(slot);
            default -> rnd.nextInt(3) == 0 ? new Op.Close(slot) : null;
        };
    }

    private Op pathOp(Map<String, Character> tree, int r) {
        return switch (r % 16) {
            case 0, 1 -> new Op.Mkdir(newPath(tree), pick(DIR_MODES));
            case 2 -> new Op.Rmdir(anyPath(tree));
            case 3 -> new Op.Unlink(anyPath(tree));
            case 4, 5 -> new Op.Rename(anyPath(tree), rnd.nextInt(3) == 0 ? newPath(tree) : anyPath(tree),
                    rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(2) : 0);
            case 6 -> new Op.Link(anyPath(tree), rnd.nextBoolean() ? newPath(tree) : anyPath(tree));
            case 7 -> symlink(tree);
            case 8 -> new Op.Readlink(anyPath(tree));
            case 9 -> new Op.Chmod(anyPath(tree), pick(rnd.nextBoolean() ? FILE_MODES : DIR_MODES));
            case 10 -> new Op.Utimens(anyPath(tree), rnd.nextLong(1_000_000_000L, 2_000_000_000L),
                    rnd.nextLong(1_000_000_000L, 2_000_000_000L), rnd.nextInt(4) == 0);
            case 11 -> new Op.Setxattr(anyPath(tree), pick(XATTRS), "v" + rnd.nextInt(1000), rnd.nextInt(3));
            case 12 -> rnd.nextBoolean() ? new Op.Removexattr(anyPath(tree), pick(XATTRS))
                    : new Op.Getxattr(anyPath(tree), pick(XATTRS));
            case 13 -> rnd.nextBoolean() ? new Op.Stat(anyPath(tree), rnd.nextBoolean()) : new Op.Listxattr(anyPath(tree));
            case 14 -> new Op.Readdir(rnd.nextInt(4) == 0 ? "" : anyPath(tree));
            default -> new Op.Truncate(anyPath(tree), rnd.nextLong(MAX_OFFSET + 8192));
        };
    }

    /**
     * Targets only ever lead down from the link's directory (a name, a path below it, or "."): a
     * target with ".." would leave the sequence's root once the link is renamed to a shallower
     * place, and outside the roots the two sides are different directories (and the test's own).
     */
    private Op symlink(Map<String, Character> tree) {
        String link = newPath(tree);
        String target;
        int kind = rnd.nextInt(5);
        if (kind == 0) {
            target = pick(NAMES); // may dangle, or be the link itself
        } else if (kind == 1) {
            target = ".";
        } else {
            Path base = Path.of("/r").resolve(parent(link));
            Path to = Path.of("/r").resolve(anyPath(tree));
            target = to.startsWith(base) && !to.equals(base) ? base.relativize(to).toString() : pick(NAMES);
        }
        return new Op.Symlink(target, link);
    }

    private int openFlags() {
        int acc = pick(new int[] {Libc.O_RDONLY, Libc.O_WRONLY, Libc.O_RDWR, Libc.O_RDWR});
        int f = acc;
        if (rnd.nextInt(2) == 0) {
            f |= Libc.O_CREAT;
        }
        if (rnd.nextInt(6) == 0) {
            f |= Libc.O_EXCL;
        }
        if (rnd.nextInt(6) == 0) {
            f |= Libc.O_TRUNC;
        }
        if (rnd.nextInt(6) == 0) {
            f |= Libc.O_APPEND;
        }
        if (rnd.nextInt(15) == 0) {
            f |= Libc.O_DIRECTORY;
        }
        if (rnd.nextInt(15) == 0) {
            f |= Libc.O_NOFOLLOW;
        }
        return f;
    }

    /** An existing entry most of the time, else a new name in an existing directory. */
    private String anyPath(Map<String, Character> tree) {
        List<String> existing = new ArrayList<>(tree.keySet());
        existing.remove("");
        if (existing.isEmpty() || rnd.nextInt(5) == 0) {
            return newPath(tree);
        }
        return existing.get(rnd.nextInt(existing.size()));
    }

    /** A pool name in an existing directory (sometimes under a file or symlink, to get ENOTDIR and friends). */
    private String newPath(Map<String, Character> tree) {
        List<String> parents = new ArrayList<>();
        tree.forEach((p, t) -> {
            int depth = p.isEmpty() ? 0 : p.split("/").length;
            if (depth < MAX_DEPTH && (t == 'D' || rnd.nextInt(8) == 0)) {
                parents.add(p);
            }
        });
        if (parents.isEmpty()) {
            parents.add("");
        }
        String parent = parents.get(rnd.nextInt(parents.size()));
        String name = pick(NAMES);
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private long offset() {
        return rnd.nextInt(4) == 0 ? (long) rnd.nextInt(16) * 4096 : rnd.nextLong(MAX_OFFSET);
    }

    private int length(int max) {
        return rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(max);
    }

    private int pick(int[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private String pick(String[] values) {
        return values[rnd.nextInt(values.length)];
    }
}
