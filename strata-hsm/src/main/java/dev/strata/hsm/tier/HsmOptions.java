package dev.strata.hsm.tier;

import dev.strata.core.store.Transfers;
import dev.strata.hsm.TaskQueue;
import java.time.Duration;

/**
 * Settings of the capacity tier's background work.
 *
 * @param rootPolicy the policy where no directory sets one
 * @param archiveWorkers parallel archive tasks
 * @param restoreWorkers parallel restore tasks
 * @param scanInterval how often the scheduler looks for dirty files due for archiving
 * @param lease how long a worker holds a task before another may take it (renewed while working)
 * @param transfers part sizes and parallelism of one file's upload or download
 * @param queue retry and dead-letter settings
 * @param readAheadMaxBytes the largest read-ahead window of a sequential reader of a released file
 * @param importRefresh how long a directory's look at the bucket stays fresh: objects added or
 *     replaced outside Strata appear within this time of the next lookup or listing
 * @param importUid owner of imported names whose object does not say
 * @param importGid group of imported names whose object does not say
 */
public record HsmOptions(Policy rootPolicy, int archiveWorkers, int restoreWorkers, Duration scanInterval,
        Duration lease, Transfers.Options transfers, TaskQueue.Options queue, int readAheadMaxBytes,
        Duration importRefresh, int importUid, int importGid) {

    public static HsmOptions defaults() {
        return new HsmOptions(Policy.DEFAULT, 2, 2, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Transfers.Options.DEFAULT, TaskQueue.Options.DEFAULTS, 16 << 20, Duration.ofSeconds(60), 0, 0);
    }

    public HsmOptions {
        if (archiveWorkers < 1 || restoreWorkers < 1 || scanInterval.isNegative() || scanInterval.isZero()
                || lease.toMillis() < 1000 || readAheadMaxBytes < (1 << 20) || importRefresh.isNegative()) {
            throw new IllegalArgumentException("bad HSM options: " + archiveWorkers + " archive, " + restoreWorkers
                    + " restore workers, scan " + scanInterval + ", lease " + lease + ", read-ahead " + readAheadMaxBytes + ", import refresh " + importRefresh);
        }
    }

    public HsmOptions withRootPolicy(Policy p) {
        return new HsmOptions(p, archiveWorkers, restoreWorkers, scanInterval, lease, transfers, queue,
                readAheadMaxBytes, importRefresh, importUid, importGid);
    }

    public HsmOptions withScanInterval(Duration d) {
        return new HsmOptions(rootPolicy, archiveWorkers, restoreWorkers, d, lease, transfers, queue,
                readAheadMaxBytes, importRefresh, importUid, importGid);
    }

    public HsmOptions withArchiveWorkers(int n) {
        return new HsmOptions(rootPolicy, n, restoreWorkers, scanInterval, lease, transfers, queue, readAheadMaxBytes,
                importRefresh, importUid, importGid);
    }

    public HsmOptions withImport(Duration refresh, int uid, int gid) {
        return new HsmOptions(rootPolicy, archiveWorkers, restoreWorkers, scanInterval, lease, transfers, queue,
                readAheadMaxBytes, refresh, uid, gid);
    }

    public HsmOptions withQueue(TaskQueue.Options q) {
        return new HsmOptions(rootPolicy, archiveWorkers, restoreWorkers, scanInterval, lease, transfers, q,
                readAheadMaxBytes, importRefresh, importUid, importGid);
    }
}
