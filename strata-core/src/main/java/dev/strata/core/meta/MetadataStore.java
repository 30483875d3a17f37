package dev.strata.core.meta;

import dev.strata.core.FsException;
import dev.strata.core.Name;
import java.util.List;
import java.util.Optional;

/**
 * The namespace's persistent state: inodes, directory entries, extended attributes, named counters,
 * recovery marks, the reverse index of names, and opaque records of the layers above (HSM state,
 * mover tasks). The POSIX logic lives in the engine above; this port only stores.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Atomicity.</b> {@link #commit} applies a whole {@link Mutation} or nothing, also across a
 *       crash at any instant.</li>
 *   <li><b>Durability in two steps.</b> When {@code commit} returns, the change survives the death
 *       of this process (it is in the journal, in the kernel's hands). It survives power loss once a
 *       later {@link #sync} has returned. {@code sync} covers every commit that returned before it
 *       was called; concurrent callers may share one flush (group commit).</li>
 *   <li><b>Visibility.</b> A read started after a commit returned sees it. Reads are not isolated
 *       from concurrent commits; the engine serializes what must be consistent.</li>
 *   <li><b>Errors.</b> A full disk is {@link FsException.NoSpace}; the store stays usable and
 *       recovers by itself once space is freed. Any other failure is {@link FsException.IoFailure}
 *       with the cause in words. A failed commit changed nothing.</li>
 *   <li><b>Integrity.</b> Stored values carry a format version and a checksum; a mismatch on read is
 *       an {@code IoFailure} naming the key, never a silently wrong value.</li>
 * </ul>
 * It deliberately does not: check POSIX rules, allocate inode numbers, or cache on behalf of the
 * engine. All methods are thread-safe.
 */
public interface MetadataStore extends AutoCloseable {

    Optional<InodeRecord> inode(long ino) throws FsException;

    Optional<DirEntry> entry(long parent, Name name) throws FsException;

    /** Entries of {@code parent} with cookie greater than {@code afterCookie}, in cookie order, at most {@code limit}. */
    List<DirEntry> list(long parent, long afterCookie, int limit) throws FsException;

    Optional<byte[]> xattr(long ino, byte[] name) throws FsException;

    /** The names of all xattrs of {@code ino}, in byte order. */
    List<byte[]> xattrNames(long ino) throws FsException;

    /** The value of a named counter, 0 if it was never set. */
    long counter(String counter) throws FsException;

    /** The inodes carrying {@code mark}, in increasing order. */
    List<Long> marked(Mark mark) throws FsException;

    /**
     * The names of {@code ino} (every directory entry that points at it), in (parent, name) order,
     * at most {@code limit}. The store keeps this reverse index itself from the entries it is given;
     * it lets the mirror name an inode's object without a search.
     */
    List<Link> links(long ino, int limit) throws FsException;

    /** Record {@code id} of {@code space}, if present. */
    Optional<byte[]> record(RecordSpace space, long id) throws FsException;

    /** Records of {@code space} with id greater than {@code afterId}, in id order, at most {@code limit}. */
    List<RecordSpace.Record> records(RecordSpace space, long afterId, int limit) throws FsException;

    void commit(Mutation mutation) throws FsException;

    void sync() throws FsException;

    /** Approximate numbers for statfs and status output. */
    StoreStats stats() throws FsException;

    @Override
    void close();

    /** @param inodes approximate number of inodes; {@code diskBytes} approximate space used by the store. */
    record StoreStats(long inodes, long diskBytes) {}
}
