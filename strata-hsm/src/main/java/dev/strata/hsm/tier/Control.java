package dev.strata.hsm.tier;

import dev.strata.core.FsException;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mark;
import dev.strata.hsm.HsmRecord;
import dev.strata.hsm.HsmTransitions;
import dev.strata.hsm.Lane;
import dev.strata.hsm.Task;
import dev.strata.hsm.TaskQueue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The text of the read-only control attributes and the queue commands (docs/CONTROL-XATTRS.md). */
final class Control {
    /** Dead letters listed at most. */
    static final int MAX_DEAD = 200;
    /** Dirty files whose sizes are summed for bytes at risk; beyond, the figure is a lower bound. */
    static final int MAX_SIZED = 100_000;

    private Control() {}

    static String info(HsmTiering t, long ino) throws FsException {
        InodeRecord r = t.meta().inode(ino).orElseThrow(() -> new FsException.NoSuchEntry("inode " + ino));
        StringBuilder b = new StringBuilder();
        if (!r.isRegular()) {
            b.append("state=").append(r.isDirectory() ? "directory" : r.type().name().toLowerCase(Locale.ROOT)).append('\n');
            b.append("durability=").append(t.policies.of(t.dirOf(ino)).policy().durability().label()).append('\n');
            return b.toString();
        }
        HsmRecord h = HsmTransitions.current(t.meta(), ino);
        b.append("state=").append(h.state().label()).append('\n');
        b.append("data-generation=").append(h.dataGeneration()).append('\n');
        b.append("archived-generation=").append(h.archivedGeneration()).append('\n');
        b.append("object-key=").append(h.objectKey()).append('\n');
        b.append("etag=").append(h.etag()).append('\n');
        b.append("archived-bytes=").append(h.archivedSizeBytes()).append('\n');
        b.append("crc32c=").append(String.format("%08x", h.crc32c())).append('\n');
        b.append("dirty-since-ms=").append(h.dirtySinceMillis()).append('\n');
        b.append("archived-at-ms=").append(h.archivedAtMillis()).append('\n');
        b.append("durability=").append(t.policies.of(r.parent()).policy().durability().label()).append('\n');
        b.append("error=").append(h.lastError()).append('\n');
        return b.toString();
    }

    static String status(HsmTiering t) throws FsException {
        long now = System.currentTimeMillis();
        List<Long> dirty = t.meta().marked(Mark.DIRTY);
        long bytes = 0;
        long oldest = 0;
        int sized = 0;
        for (long ino : dirty) {
            if (sized++ >= MAX_SIZED) {
                break;
            }
            Optional<InodeRecord> r = t.meta().inode(ino);
            if (r.isPresent()) {
                bytes += r.get().sizeBytes();
            }
            HsmRecord h = HsmTransitions.current(t.meta(), ino);
            if (h.dirtySinceMillis() > 0 && (oldest == 0 || h.dirtySinceMillis() < oldest)) {
                oldest = h.dirtySinceMillis();
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("store: ").append(t.store.describe()).append('\n');
        b.append("default-policy: ").append(t.policies.rootDefault().format()).append('\n');
        b.append("dirty-files: ").append(dirty.size()).append('\n');
        b.append("bytes-at-risk: ").append(bytes).append(dirty.size() > MAX_SIZED ? "+" : "").append('\n');
        b.append("oldest-dirty-age-s: ")
                .append(oldest == 0 ? "0" : String.format(Locale.ROOT, "%.1f", (now - oldest) / 1000.0)).append('\n');
        Map<Lane, TaskQueue.LaneCounts> counts = t.queue.counts(now);
        for (Lane lane : Lane.values()) {
            TaskQueue.LaneCounts c = counts.get(lane);
            b.append(lane.name().toLowerCase(Locale.ROOT)).append("-queue: ").append(c.ready()).append(" ready, ")
                    .append(c.waiting()).append(" waiting, ").append(c.leased()).append(" leased, ").append(c.dead())
                    .append(" dead\n");
        }
        b.append("unmirrorable-names: ").append(t.unmirrorable.get()).append('\n');
        b.append("skipped-keys: ").append(t.importer.skips.total()).append('\n');
        return b.toString();
    }

    static String queue(HsmTiering t) throws FsException {
        long now = System.currentTimeMillis();
        StringBuilder b = new StringBuilder();
        Map<Lane, TaskQueue.LaneCounts> counts = t.queue.counts(now);
        for (Lane lane : Lane.values()) {
            TaskQueue.LaneCounts c = counts.get(lane);
            b.append(lane.name()).append(" ready=").append(c.ready()).append(" waiting=").append(c.waiting())
                    .append(" leased=").append(c.leased()).append(" dead=").append(c.dead()).append(" oldest-age-s=")
                    .append(c.oldestEnqueuedMillis() == 0 ? "0"
                            : String.format(Locale.ROOT, "%.1f", (now - c.oldestEnqueuedMillis()) / 1000.0))
                    .append('\n');
        }
        for (Task d : t.queue.deadLetters(MAX_DEAD)) {
            b.append("dead id=").append(d.id()).append(" kind=").append(d.kind()).append(" key=").append(d.key())
                    .append(" attempts=").append(d.attempts()).append(" error=")
                    .append(d.lastError().replace('\n', ' ')).append('\n');
        }
        return b.toString();
    }

    static void queueCommand(HsmTiering t, String command) throws FsException {
        String[] parts = command.split("\\s+");
        if (parts.length != 2 || !(parts[0].equals("retry") || parts[0].equals("discard"))) {
            throw new FsException.InvalidArgument("queue command '" + command + "': use 'retry ID' or 'discard ID'");
        }
        long id;
        try {
            id = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            throw new FsException.InvalidArgument("queue command '" + command + "': ID must be a number");
        }
        boolean done = parts[0].equals("retry") ? t.queue.retryDead(id) : t.queue.discardDead(id);
        if (!done) {
            throw new FsException.NoSuchEntry("no dead task with id " + id);
        }
    }
}
