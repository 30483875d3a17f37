package dev.strata.testkit.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FsException;
import dev.strata.core.Timespec;
import dev.strata.core.meta.InodeRecord;
import dev.strata.core.meta.Mutation;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fake's own controls: fault injection, sync counting, restart and power loss. */
class InMemoryMetadataStoreTest {
    private final InMemoryMetadataStore store = new InMemoryMetadataStore();

    @Test
    void theNthCommitFailsAndChangesNothing() throws Exception {
        store.failCommit(2, InMemoryMetadataStore.Fault.NO_SPACE);
        store.commit(new Mutation().putInode(inode(2)));
        assertThatThrownBy(() -> store.commit(new Mutation().putInode(inode(3)).setCounter("c", 1)))
                .isInstanceOf(FsException.NoSpace.class);
        assertThat(store.inode(3)).isEmpty();
        assertThat(store.counter("c")).isZero();
        store.commit(new Mutation().putInode(inode(3)));
        assertThat(store.inode(3)).isPresent();

        store.failCommit(1, InMemoryMetadataStore.Fault.IO_FAILURE);
        assertThatThrownBy(() -> store.commit(new Mutation().putInode(inode(4)))).isInstanceOf(FsException.IoFailure.class);
        assertThat(store.inode(4)).isEmpty();
        assertThat(store.commits()).isEqualTo(4);
    }

    @Test
    void aFullDiskRefusesCommitsUntilItIsFreed() throws Exception {
        store.diskFull(true);
        assertThatThrownBy(() -> store.commit(new Mutation().putInode(inode(2)))).isInstanceOf(FsException.NoSpace.class);
        assertThat(store.inode(2)).isEmpty();
        store.sync();
        store.diskFull(false);
        store.commit(new Mutation().putInode(inode(2)));
        assertThat(store.inode(2)).isPresent();
    }

    @Test
    void syncCallsAreCounted() {
        store.sync();
        store.sync();
        assertThat(store.syncCalls()).isEqualTo(2);
    }

    @Test
    void aRestartKeepsEverythingCommitted() throws Exception {
        store.commit(new Mutation().putInode(inode(2)));
        InMemoryMetadataStore restarted = store.reopen();
        assertThat(restarted.inode(2)).isPresent();
        assertThatThrownBy(() -> store.inode(2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void powerLossKeepsOnlyWhatWasSynced() throws Exception {
        store.commit(new Mutation().putInode(inode(2)));
        store.sync();
        store.commit(new Mutation().putInode(inode(3)).deleteInode(2));
        InMemoryMetadataStore after = store.crash();
        assertThat(after.inode(2)).isPresent();
        assertThat(after.inode(3)).isEmpty();
        assertThatThrownBy(() -> store.inode(2)).isInstanceOf(IllegalStateException.class);
        after.commit(new Mutation().putInode(inode(4)));
        assertThat(after.crash().inode(4)).isEmpty();
    }

    @Test
    void powerLossMayKeepAPrefixOfTheUnsyncedCommits() throws Exception {
        Random random = new Random(3);
        for (int round = 0; round < 20; round++) {
            InMemoryMetadataStore s = new InMemoryMetadataStore();
            for (int i = 1; i <= 10; i++) {
                s.commit(new Mutation().setCounter("n", i));
            }
            InMemoryMetadataStore after = s.crash(random);
            long n = after.counter("n");
            assertThat(n).isBetween(0L, 10L);
            // A prefix: whatever survived, the store is exactly the state after commit n.
            assertThat(after.reopen().counter("n")).isEqualTo(n);
        }
    }

    @Test
    void invariantBreakingOperationsAreRejected() {
        assertThatThrownBy(() -> store.commit(new Mutation().putXattr(2, new byte[0], new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.commit(new Mutation().setCounter("", 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static InodeRecord inode(long ino) {
        return new InodeRecord.Builder().ino(ino).mode(0100644).nlink(1).atime(Timespec.EPOCH).mtime(Timespec.EPOCH)
                .ctime(Timespec.EPOCH).btime(Timespec.EPOCH).parent(1).build();
    }
}
