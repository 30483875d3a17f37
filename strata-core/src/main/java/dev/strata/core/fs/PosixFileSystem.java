package dev.strata.core.fs;

import dev.strata.core.Caller;
import dev.strata.core.FsException;
import dev.strata.core.Name;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The inode-level operations a kernel file-system interface (FUSE) needs, with POSIX semantics.
 * Inodes are named by number; the root is {@link #ROOT}. Names are raw bytes.
 *
 * <p>Lookup counting follows the FUSE low-level protocol: every returned {@link Entry} (lookup,
 * mknod, mkdir, symlink, link, create, and each taken readdirplus entry) adds one reference that
 * {@link #forget} releases. An inode whose link count is zero is freed once it has no references and
 * no open handles.
 *
 * <p>Permission checks on path traversal and open are the kernel's (the mount uses
 * {@code default_permissions}); this interface enforces ownership rules (chmod/chown/utimes by
 * non-owners, sticky directories) and everything else POSIX says about the operations themselves.
 *
 * <p>All methods are thread-safe and may block on disk I/O.
 */
public interface PosixFileSystem {
    long ROOT = 1;

    /** rename flags (renameat2). */
    int RENAME_NOREPLACE = 1;
    int RENAME_EXCHANGE = 2;
    int RENAME_WHITEOUT = 4;

    /** setxattr flags. */
    int XATTR_CREATE = 1;
    int XATTR_REPLACE = 2;

    Entry lookup(Caller caller, long parent, Name name) throws FsException;

    /** Drops {@code nlookup} references taken by earlier entries. Never fails. */
    void forget(long ino, long nlookup);

    /** @param fh a handle of the inode, or -1 */
    Attr getattr(long ino, long fh) throws FsException;

    Attr setattr(Caller caller, long ino, SetAttr change) throws FsException;

    byte[] readlink(long ino) throws FsException;

    Entry mknod(Caller caller, long parent, Name name, int mode, long rdev, int umask) throws FsException;

    Entry mkdir(Caller caller, long parent, Name name, int mode, int umask) throws FsException;

    Entry symlink(Caller caller, long parent, Name name, byte[] target) throws FsException;

    void unlink(Caller caller, long parent, Name name) throws FsException;

    void rmdir(Caller caller, long parent, Name name) throws FsException;

    /** @param flags 0 or a combination of {@link #RENAME_NOREPLACE}, {@link #RENAME_EXCHANGE} */
    void rename(Caller caller, long parent, Name name, long newParent, Name newName, int flags) throws FsException;

    Entry link(Caller caller, long ino, long newParent, Name newName) throws FsException;

    /** @param flags open(2) flags as the kernel passes them (O_ACCMODE, O_TRUNC, O_APPEND, ...) */
    Opened open(Caller caller, long ino, int flags) throws FsException;

    Created create(Caller caller, long parent, Name name, int mode, int umask, int flags) throws FsException;

    /** Reads into {@code dst}; fewer bytes than its size only at end of file. */
    int read(long ino, long fh, long offset, MemorySegment dst) throws FsException;

    /** Writes all of {@code src}; returns its size. */
    int write(long ino, long fh, long offset, MemorySegment src, boolean killSuidGid) throws FsException;

    /** Called at each close(2) of a file descriptor of the handle. */
    void flush(long ino, long fh, long lockOwner) throws FsException;

    /** The last close of the handle. Never fails in a way the caller could act on. */
    void release(long ino, long fh);

    void fsync(long ino, long fh, boolean dataOnly) throws FsException;

    Opened opendir(Caller caller, long ino, int flags) throws FsException;

    /** Lists entries after {@code offset} (0 = from the start) into {@code sink} until it is full. */
    void readdir(long ino, long fh, long offset, DirSink sink) throws FsException;

    void readdirplus(long ino, long fh, long offset, DirPlusSink sink) throws FsException;

    void releasedir(long ino, long fh);

    void fsyncdir(long ino, long fh, boolean dataOnly) throws FsException;

    StatFs statfs(long ino) throws FsException;

    void setxattr(Caller caller, long ino, byte[] name, byte[] value, int flags) throws FsException;

    byte[] getxattr(long ino, byte[] name) throws FsException;

    List<byte[]> listxattr(long ino) throws FsException;

    void removexattr(Caller caller, long ino, byte[] name) throws FsException;

    /** fallocate(2); mode bits as in {@link dev.strata.core.data.LocalFile}. */
    void fallocate(long ino, long fh, int mode, long offset, long length) throws FsException;

    /** lseek(2) for SEEK_DATA (3) and SEEK_HOLE (4). */
    long lseek(long ino, long fh, long offset, int whence) throws FsException;

    long copyFileRange(long inoIn, long fhIn, long offsetIn, long inoOut, long fhOut, long offsetOut, long length)
            throws FsException;

    /** The kernel is done with the file system (unmount): flush and release everything. */
    void destroy();
}
