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
 */
public record HsmOptions(Policy rootPolicy, int archiveWorkers, int restoreWorkers, Duration scanInterval,
        Duration lease, Transfers.Options transfers, TaskQueue.Options queue, int readAheadMaxBytes) {

    public static HsmOptions defaults() {
        return new HsmOptions(Policy.DEFAULT, 2, 2, Duration.ofSeconds(1), Duration.ofMinutes(2),
                Transfers.Options.DEFAULT, TaskQueue.Options.DEFAULTS, 16 << 20);
    }

    public HsmOptions {
        if (archiveWorkers < 1 || restoreWorkers < 1 || scanInterval.isNegative() || scanInterval.isZero()
                || lease.toMillis() < 1000 || readAheadMaxBytes < (1 << 20)) {
            throw new IllegalArgumentException("bad HSM options: " + archiveWorkers + " archive, " + restoreWorkers
                    + " restore workers, scan " + scanInterval + ", lease " + lease + ", read-ahead " + readAheadMaxBytes);
        }
    }

    public HsmOptions withRootPolicy(Policy p) {
        return new HsmOptions(p, archiveWorkers, restoreWorkers, scanInterval, lease, transfers, queue,
                readAheadMaxBytes);
    }

    public HsmOptions withScanInterval(Duration d) {
        return new HsmOptions(rootPolicy, archiveWorkers, restoreWorkers, d, lease, transfers, queue,
                readAheadMaxBytes);
    }

    public HsmOptions withArchiveWorkers(int n) {
        return new HsmOptions(rootPolicy, n, restoreWorkers, scanInterval, lease, transfers, queue, readAheadMaxBytes);
    }

    public HsmOptions withQueue(TaskQueue.Options q) {
        return new HsmOptions(rootPolicy, archiveWorkers, restoreWorkers, scanInterval, lease, transfers, q,
                readAheadMaxBytes);
    }
}
