package dev.strata.core.meta;

import dev.strata.core.Name;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An ordered set of changes that a {@link MetadataStore} applies atomically: after a crash either all
 * of them are visible or none. Built by one thread, then handed to {@link MetadataStore#commit}.
 */
public final class Mutation {
    /** One change. Later operations on the same key win. */
    public sealed interface Op {}

    public record PutInode(InodeRecord inode) implements Op {}

    /** Removes the inode record, all its xattrs, all its marks and its records in inode-owned spaces. */
    public record DeleteInode(long ino) implements Op {}

    public record PutEntry(long parent, DirEntry entry) implements Op {}

    /** Removes the entry; the cookie is needed to remove its readdir index as well. */
    public record DeleteEntry(long parent, Name name, long cookie) implements Op {}

    public record PutXattr(long ino, byte[] name, byte[] value) implements Op {}

    public record DeleteXattr(long ino, byte[] name) implements Op {}

    public record SetCounter(String counter, long value) implements Op {}

    public record AddMark(Mark mark, long ino) implements Op {}

    public record RemoveMark(Mark mark, long ino) implements Op {}

    /** Stores {@code value} as record {@code id} of {@code space}, replacing any old one. */
    public record PutRecord(RecordSpace space, long id, byte[] value) implements Op {}

    /** Removes record {@code id} of {@code space}; an absent record is fine. */
    public record DeleteRecord(RecordSpace space, long id) implements Op {}

    private final List<Op> ops = new ArrayList<>(4);

    /** Appends an operation built elsewhere. */
    public Mutation add(Op op) { ops.add(java.util.Objects.requireNonNull(op)); return this; }

    public Mutation putInode(InodeRecord r) { ops.add(new PutInode(r)); return this; }
    public Mutation deleteInode(long ino) { ops.add(new DeleteInode(ino)); return this; }
    public Mutation putEntry(long parent, DirEntry e) { ops.add(new PutEntry(parent, e)); return this; }
    public Mutation deleteEntry(long parent, DirEntry e) { ops.add(new DeleteEntry(parent, e.name(), e.cookie())); return this; }
    public Mutation putXattr(long ino, byte[] name, byte[] value) { ops.add(new PutXattr(ino, name, value)); return this; }
    public Mutation deleteXattr(long ino, byte[] name) { ops.add(new DeleteXattr(ino, name)); return this; }
    public Mutation setCounter(String counter, long value) { ops.add(new SetCounter(counter, value)); return this; }
    public Mutation addMark(Mark mark, long ino) { ops.add(new AddMark(mark, ino)); return this; }
    public Mutation removeMark(Mark mark, long ino) { ops.add(new RemoveMark(mark, ino)); return this; }
    public Mutation putRecord(RecordSpace space, long id, byte[] value) { ops.add(new PutRecord(space, id, value)); return this; }
    public Mutation deleteRecord(RecordSpace space, long id) { ops.add(new DeleteRecord(space, id)); return this; }

    public List<Op> ops() {
        return Collections.unmodifiableList(ops);
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    @Override
    public String toString() {
        return "Mutation" + ops;
    }
}
