package dev.strata.tier.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.Errno;
import dev.strata.core.FsException;
import dev.strata.nativeio.ErrnoException;
import org.junit.jupiter.api.Test;

class DiskErrorsTest {
    private static final String WHAT = "pwrite of 4096 bytes at 0 to inode 7 (/data/07/0000000000000007)";

    @Test
    void eachErrnoMapsToItsException() {
        assertMaps(28, FsException.NoSpace.class, Errno.ENOSPC);
        assertMaps(122, FsException.NoSpace.class, Errno.ENOSPC);
        assertMaps(27, FsException.FileTooBig.class, Errno.EFBIG);
        assertMaps(95, FsException.NotSupported.class, Errno.EOPNOTSUPP);
        assertMaps(22, FsException.InvalidArgument.class, Errno.EINVAL);
        assertMaps(5, FsException.IoFailure.class, Errno.EIO);
        assertMaps(6, FsException.NoSuchAddress.class, Errno.ENXIO);
        assertMaps(30, FsException.Other.class, Errno.EROFS);
        assertMaps(13, FsException.Other.class, Errno.EACCES);
        assertMaps(24, FsException.Other.class, Errno.EMFILE);
    }

    @Test
    void anErrnoStrataDoesNotKnowIsKeptInTheMessage() {
        FsException e = DiskErrors.map(new ErrnoException("pwrite", 117, null), WHAT);
        assertThat(e).isInstanceOf(FsException.Other.class).hasMessageContaining("errno 117");
        assertThat(e.errno()).isEqualTo(Errno.EIO);
    }

    @Test
    void runningOutOfDescriptorsSaysWhichLimitToRaise() {
        assertThat(DiskErrors.map(new ErrnoException("open", 24, null), WHAT)).hasMessageContaining("ulimit -n");
    }

    private static void assertMaps(int errno, Class<? extends FsException> type, Errno expected) {
        FsException e = DiskErrors.map(new ErrnoException("pwrite", errno, null), WHAT);
        assertThat(e).as("errno %d", errno).isInstanceOf(type).hasMessageContaining(WHAT);
        assertThat(e.errno()).as("errno %d", errno).isEqualTo(expected);
    }
}
