package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadAheadTest {
    private static final String MOUNTINFO = """
            22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
            50 22 0:40 / /var/tmp/with\\040space rw,nosuid,nodev,relatime shared:30 - fuse.strata strata rw,user_id=0
            51 22 0:41 / /mnt/a rw - fuse.strata strata:/d rw
            52 51 0:47 / /mnt/a rw - fuse.strata strata:/e rw
            """;

    @Test
    void findsTheDeviceOfTheTopmostMountAtAPath() {
        assertThat(ReadAhead.device(MOUNTINFO, "/var/tmp/with space")).contains("0:40");
        assertThat(ReadAhead.device(MOUNTINFO, "/mnt/a")).contains("0:47");
        assertThat(ReadAhead.device(MOUNTINFO, "/mnt/b")).isEmpty();
    }

    @Test
    void theWindowHoldsSeveralMaximalReads() {
        assertThat(ReadAhead.WINDOW_KIB).isEqualTo(4096);
    }
}
