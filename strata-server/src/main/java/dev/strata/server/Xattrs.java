package dev.strata.server;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.nio.file.Path;

/**
 * The extended-attribute calls the control commands make. A port so that tests can answer as a
 * Strata mount would without one; {@link #SYSTEM} makes the real system calls.
 *
 * <p>{@code noFollow} acts on a symlink itself instead of its target: the commands follow symlinks
 * named on the command line and use {@code noFollow} for files found by walking a directory, so
 * that a file replaced by a symlink between the walk and the call is not acted on through it.
 */
interface Xattrs {
    /** The attribute's value; ENODATA if it has none. */
    byte[] get(Path path, String name, boolean noFollow) throws ErrnoException;

    void set(Path path, String name, byte[] value, boolean noFollow) throws ErrnoException;

    /** ENODATA if there is no such attribute. */
    void remove(Path path, String name, boolean noFollow) throws ErrnoException;

    Xattrs SYSTEM = new Xattrs() {
        @Override
        public byte[] get(Path path, String name, boolean noFollow) throws ErrnoException {
            return Libc.getxattr(path, name, noFollow);
        }

        @Override
        public void set(Path path, String name, byte[] value, boolean noFollow) throws ErrnoException {
            Libc.setxattr(path, name, value, 0, noFollow);
        }

        @Override
        public void remove(Path path, String name, boolean noFollow) throws ErrnoException {
            Libc.removexattr(path, name, noFollow);
        }
    };
}
