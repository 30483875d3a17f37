package dev.strata.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.FsException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TaskCodecTest {

    @Test
    void roundTripsEveryKindAndState() throws Exception {
        long seq = 1;
        for (TaskKind kind : TaskKind.values()) {
            for (TaskState state : TaskState.values()) {
                long id = kind.lane().idOf(seq++);
                Task t = new Task(id, kind, 99, "dïr/ファイル 🦀", kind.needsToKey() ? "to/ключ" : "", 3, 5,
                        1_700_000_000_000L, 1_700_000_001_000L, 1_700_000_030_000L, state, "HTTP 503: SlowDown");
                assertThat(TaskCodec.decode(id, TaskCodec.encode(t))).isEqualTo(t);
            }
        }
    }

    @Test
    void truncatedOrForeignValuesAreErrorsNamingTheTask() {
        long id = Lane.ARCHIVE.idOf(12);
        Task t = new Task(id, TaskKind.ARCHIVE, 1, "k", "", 0, 0, 0, 0, 0, TaskState.QUEUED, "");
        byte[] value = TaskCodec.encode(t);
        for (int n = 0; n < value.length; n++) {
            byte[] cut = Arrays.copyOf(value, n);
            assertThatThrownBy(() -> TaskCodec.decode(id, cut))
                    .isInstanceOf(FsException.IoFailure.class).hasMessageContaining("task " + id);
        }
        byte[] version = value.clone();
        version[0] = 2;
        assertThatThrownBy(() -> TaskCodec.decode(id, version)).hasMessageContaining("version 2");
        // An ARCHIVE task stored under a NAMESPACE id is corruption, not a task to run.
        assertThatThrownBy(() -> TaskCodec.decode(Lane.NAMESPACE.idOf(12), value)).hasMessageContaining("lane");
        byte[] kind = value.clone();
        kind[1] = '?';
        assertThatThrownBy(() -> TaskCodec.decode(id, kind)).hasMessageContaining("kind code");
    }
}
