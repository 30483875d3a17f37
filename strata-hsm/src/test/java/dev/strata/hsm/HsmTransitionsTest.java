package dev.strata.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.meta.Mark;
import dev.strata.core.meta.Mutation;
import dev.strata.core.meta.RecordSpace;
import dev.strata.testkit.meta.InMemoryMetadataStore;
import org.junit.jupiter.api.Test;

class HsmTransitionsTest {
    private static final long INO = 42;
    private final InMemoryMetadataStore store = new InMemoryMetadataStore();

    @Test
    void aNewFileIsResidentAndUnmarked() throws Exception {
        assertThat(HsmTransitions.current(store, INO)).isEqualTo(HsmRecord.NEW);
        assertThat(store.marked(Mark.DIRTY)).isEmpty();
    }

    @Test
    void theFullCycleCommitsStateAndDirtyMark() throws Exception {
        Mutation m = new Mutation();
        HsmRecord r = HsmTransitions.dataChanged(m, INO, HsmTransitions.current(store, INO), 1_000);
        store.commit(m);
        assertThat(r.state()).isEqualTo(HsmState.DIRTY);
        assertThat(r.dataGeneration()).isEqualTo(1);
        assertThat(r.dirtySinceMillis()).isEqualTo(1_000);
        assertThat(store.marked(Mark.DIRTY)).containsExactly(INO);
        assertThat(HsmTransitions.current(store, INO)).isEqualTo(r);

        r = commit(m2 -> HsmTransitions.archiveStarted(m2, INO, HsmTransitions.current(store, INO), 1));
        assertThat(r.state()).isEqualTo(HsmState.ARCHIVING);
        assertThat(store.marked(Mark.DIRTY)).containsExactly(INO);

        r = commit(m2 -> HsmTransitions.archiveCommitted(m2, INO, HsmTransitions.current(store, INO), 1, "a/b",
                "e1", 10, 0x1234, 2_000));
        assertThat(r).isEqualTo(new HsmRecord(HsmState.ARCHIVED, 1, 1, "a/b", "e1", 10, 0x1234, 0, 2_000, ""));
        assertThat(store.marked(Mark.DIRTY)).isEmpty();

        r = commit(m2 -> HsmTransitions.released(m2, INO, HsmTransitions.current(store, INO)));
        assertThat(r.state()).isEqualTo(HsmState.RELEASED);
        assertThat(r.state().dataLocal()).isFalse();

        r = commit(m2 -> HsmTransitions.restored(m2, INO, HsmTransitions.current(store, INO)));
        assertThat(r.state()).isEqualTo(HsmState.ARCHIVED);
        assertThat(HsmTransitions.current(store, INO)).isEqualTo(r);
    }

    @Test
    void dataChangedFromEveryStateButReleasedGoesDirty() {
        for (HsmState s : HsmState.values()) {
            HsmRecord before = new HsmRecord(s, 3, 3, "k", "e", 1, 2, s.needsArchive() ? 500 : 0, 9, "");
            if (s == HsmState.RELEASED) {
                assertThatThrownBy(() -> HsmTransitions.dataChanged(new Mutation(), INO, before, 1_000))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("inode 42").hasMessageContaining("restore");
                continue;
            }
            Mutation m = new Mutation();
            HsmRecord after = HsmTransitions.dataChanged(m, INO, before, 1_000);
            assertThat(after.state()).isEqualTo(HsmState.DIRTY);
            assertThat(after.dataGeneration()).isEqualTo(4);
            // The bucket still holds generation 3: the record keeps saying so.
            assertThat(after.archivedGeneration()).isEqualTo(3);
            assertThat(after.objectKey()).isEqualTo("k");
            // The RPO age counts from the first unarchived change.
            assertThat(after.dirtySinceMillis()).isEqualTo(s.needsArchive() ? 500 : 1_000);
            assertThat(m.ops()).contains(new Mutation.AddMark(Mark.DIRTY, INO));
        }
    }

    @Test
    void aChangeDuringArchivingKeepsTheFileDirtyWhenTheOldUploadCommits() throws Exception {
        Mutation m = new Mutation();
        HsmRecord r = HsmTransitions.dataChanged(m, INO, HsmRecord.NEW, 100);
        r = HsmTransitions.archiveStarted(m, INO, r, 1);
        r = HsmTransitions.dataChanged(m, INO, r, 200);
        assertThat(r.dataGeneration()).isEqualTo(2);
        assertThat(r.dirtySinceMillis()).isEqualTo(100);

        Mutation done = new Mutation();
        r = HsmTransitions.archiveCommitted(done, INO, r, 1, "k", "e1", 5, 7, 300);
        assertThat(r.state()).isEqualTo(HsmState.DIRTY);
        assertThat(r.archivedGeneration()).isEqualTo(1);
        assertThat(r.etag()).isEqualTo("e1");
        assertThat(r.dirtySinceMillis()).isEqualTo(100);
        assertThat(done.ops()).contains(new Mutation.AddMark(Mark.DIRTY, INO));

        // The next archive of generation 2 makes it archived.
        r = HsmTransitions.archiveStarted(done, INO, r, 2);
        r = HsmTransitions.archiveCommitted(done, INO, r, 2, "k", "e2", 6, 8, 400);
        assertThat(r.state()).isEqualTo(HsmState.ARCHIVED);
        assertThat(r.dirtySinceMillis()).isZero();
        assertThat(done.ops().getLast()).isEqualTo(new Mutation.RemoveMark(Mark.DIRTY, INO));
    }

    @Test
    void anOlderUploadFinishingLastDoesNotMoveTheRecordBack() throws Exception {
        HsmRecord r = new HsmRecord(HsmState.ARCHIVING, 3, 2, "k", "e2", 6, 8, 100, 50, "");
        HsmRecord after = HsmTransitions.archiveCommitted(new Mutation(), INO, r, 1, "k", "e1", 5, 7, 300);
        assertThat(after).isEqualTo(r);
    }

    @Test
    void archiveStartedRefusals() {
        for (HsmState s : new HsmState[] {HsmState.ARCHIVED, HsmState.RELEASED, HsmState.LOST}) {
            HsmRecord r = new HsmRecord(s, 1, 1, "k", "e", 0, 0, 0, 0, "");
            assertThatThrownBy(() -> HsmTransitions.archiveStarted(new Mutation(), INO, r, 1))
                    .isInstanceOf(HsmRefusal.CannotArchive.class)
                    .hasMessage("cannot archive: " + s.label());
        }
        HsmRecord dirty = new HsmRecord(HsmState.DIRTY, 5, 0, "", "", 0, 0, 1, 0, "");
        assertThatThrownBy(() -> HsmTransitions.archiveStarted(new Mutation(), INO, dirty, 4))
                .isInstanceOf(HsmRefusal.StaleGeneration.class).hasMessageContaining("stale generation 4");
        assertThatThrownBy(() -> HsmTransitions.archiveStarted(new Mutation(), INO, dirty, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("generation 6");
    }

    @Test
    void anExplicitArchiveOfAResidentFileAndARedoneStartAreAllowed() throws Exception {
        Mutation m = new Mutation();
        HsmRecord r = HsmTransitions.archiveStarted(m, INO, HsmRecord.NEW, 0);
        assertThat(r.state()).isEqualTo(HsmState.ARCHIVING);
        assertThat(HsmTransitions.archiveStarted(m, INO, r, 0)).isEqualTo(r);
        r = HsmTransitions.archiveCommitted(m, INO, r, 0, "empty", "e", 0, 0, 10);
        assertThat(r.state()).isEqualTo(HsmState.ARCHIVED);
        assertThat(r.hasArchivedCopy()).isTrue();
    }

    @Test
    void archiveCommittedRefusesWithoutAnArchiveInFlight() {
        for (HsmState s : new HsmState[] {HsmState.RESIDENT, HsmState.RELEASED, HsmState.LOST}) {
            HsmRecord r = new HsmRecord(s, 1, 1, "k", "e", 0, 0, 0, 0, "");
            assertThatThrownBy(() -> HsmTransitions.archiveCommitted(new Mutation(), INO, r, 1, "k", "e", 0, 0, 1))
                    .isInstanceOf(HsmRefusal.NotArchiving.class)
                    .hasMessage("no archive in flight: " + s.label());
        }
    }

    @Test
    void releaseOnlyFromArchivedWithAPrintableRefusal() throws Exception {
        for (HsmState s : HsmState.values()) {
            HsmRecord r = new HsmRecord(s, 1, 1, "k", "e", 0, 0, 0, 0, "");
            if (s == HsmState.ARCHIVED) {
                Mutation m = new Mutation();
                assertThat(HsmTransitions.released(m, INO, r).state()).isEqualTo(HsmState.RELEASED);
                assertThat(m.ops()).contains(new Mutation.RemoveMark(Mark.DIRTY, INO));
            } else {
                assertThatThrownBy(() -> HsmTransitions.released(new Mutation(), INO, r))
                        .isInstanceOf(HsmRefusal.NotArchived.class)
                        .hasMessage("not archived: " + s.label())
                        .satisfies(e -> assertThat(((HsmRefusal) e).state()).isEqualTo(s));
            }
        }
    }

    @Test
    void restoreOnlyFromReleased() {
        for (HsmState s : HsmState.values()) {
            if (s == HsmState.RELEASED) {
                continue;
            }
            HsmRecord r = new HsmRecord(s, 1, 1, "k", "e", 0, 0, 0, 0, "");
            assertThatThrownBy(() -> HsmTransitions.restored(new Mutation(), INO, r))
                    .isInstanceOf(HsmRefusal.NotReleased.class).hasMessage("not released: " + s.label());
        }
    }

    @Test
    void lostFromAnyStateKeepsTheReasonAndClearsTheDirtyMark() {
        for (HsmState s : HsmState.values()) {
            HsmRecord r = new HsmRecord(s, 2, 1, "k", "e", 0, 0, 0, 0, "");
            Mutation m = new Mutation();
            HsmRecord lost = HsmTransitions.lost(m, INO, r, "object a/b: CRC32C mismatch");
            assertThat(lost.state()).isEqualTo(HsmState.LOST);
            assertThat(lost.lastError()).isEqualTo("object a/b: CRC32C mismatch");
            assertThat(m.ops()).contains(new Mutation.RemoveMark(Mark.DIRTY, INO));
            // Writing new data recovers it, and forgets the error.
            HsmRecord again = HsmTransitions.dataChanged(new Mutation(), INO, lost, 5);
            assertThat(again.state()).isEqualTo(HsmState.DIRTY);
            assertThat(again.lastError()).isEmpty();
        }
    }

    @Test
    void importedFilesAreReleasedWithTheirObjectAsArchivedCopy() throws Exception {
        Mutation m = new Mutation();
        HsmRecord r = HsmTransitions.imported(m, INO, "data/x.bin", "e", 99, 3, 10);
        store.commit(m);
        assertThat(HsmTransitions.current(store, INO)).isEqualTo(r);
        assertThat(r.state()).isEqualTo(HsmState.RELEASED);
        assertThat(HsmTransitions.restored(new Mutation(), INO, r).state()).isEqualTo(HsmState.ARCHIVED);
    }

    @Test
    void deletingTheInodeRemovesItsRecord() throws Exception {
        Mutation m = new Mutation();
        HsmTransitions.dataChanged(m, INO, HsmRecord.NEW, 1);
        store.commit(m);
        store.commit(new Mutation().deleteInode(INO));
        assertThat(store.record(RecordSpace.HSM, INO)).isEmpty();
        assertThat(store.marked(Mark.DIRTY)).isEmpty();
        assertThat(HsmTransitions.current(store, INO)).isEqualTo(HsmRecord.NEW);
    }

    private interface Step {
        HsmRecord apply(Mutation m) throws Exception;
    }

    private HsmRecord commit(Step step) throws Exception {
        Mutation m = new Mutation();
        HsmRecord r = step.apply(m);
        store.commit(m);
        return r;
    }
}
