package dev.strata.hsm;

import dev.strata.core.FsException;

/**
 * The stored form of a {@link Task} (its id is the record's key, not repeated in the value).
 *
 * <pre>
 * version 1:  u8 version=1 | u8 kind code | u8 state code | i64 ino | i32 attempts | i32 leaseCount
 *             | i64 enqueuedAtMillis | i64 notBeforeMillis | i64 leaseUntilMillis
 *             | str key | str toKey | str lastError                (str = i32 length + UTF-8)
 * </pre>
 * Unknown versions, truncation, trailing bytes, unknown codes and a kind that does not belong to
 * the id's lane are {@link FsException.IoFailure} naming the task.
 */
public final class TaskCodec {
    static final int VERSION = 1;

    private TaskCodec() {}

    public static byte[] encode(Task t) {
        return new Wire.Writer()
                .u8(VERSION)
                .u8(t.kind().code())
                .u8(t.state().code())
                .i64(t.ino())
                .i32(t.attempts())
                .i32(t.leaseCount())
                .i64(t.enqueuedAtMillis())
                .i64(t.notBeforeMillis())
                .i64(t.leaseUntilMillis())
                .string(t.key())
                .string(t.toKey())
                .string(t.lastError())
                .toByteArray();
    }

    public static Task decode(long id, byte[] value) throws FsException.IoFailure {
        try {
            Wire.Reader in = new Wire.Reader(value);
            int version = in.u8();
            if (version != VERSION) {
                throw new Wire.Malformed("unknown format version " + version + " (this build reads " + VERSION + ")");
            }
            int kindCode = in.u8();
            TaskKind kind = TaskKind.ofCode(kindCode);
            if (kind == null) {
                throw new Wire.Malformed("unknown kind code " + kindCode);
            }
            if (!kind.lane().owns(id)) {
                throw new Wire.Malformed(kind + " does not belong to the lane of this id");
            }
            int stateCode = in.u8();
            TaskState state = TaskState.ofCode(stateCode);
            if (state == null) {
                throw new Wire.Malformed("unknown state code " + stateCode);
            }
            long ino = in.i64();
            int attempts = in.i32();
            int leaseCount = in.i32();
            long enqueuedAt = in.i64();
            long notBefore = in.i64();
            long leaseUntil = in.i64();
            String key = in.string();
            String toKey = in.string();
            String lastError = in.string();
            in.end();
            return new Task(id, kind, ino, key, toKey, attempts, leaseCount, enqueuedAt, notBefore, leaseUntil, state,
                    lastError);
        } catch (Wire.Malformed e) {
            throw new FsException.IoFailure("mover task " + id + ": " + e.getMessage());
        }
    }
}
