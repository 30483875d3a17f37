package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.fuse.FuseConfig.Toggle;
import org.junit.jupiter.api.Test;

class InitNegotiationTest {
    /** What Linux 6.18 offers (flags 0x5fd73fffffb as logged by a real mount), protocol 7.45. */
    static final InitNegotiation.Offer LINUX_6_18 = new InitNegotiation.Offer(7, 45, 131072, 0x5fd73fffffbL);

    private static Negotiated accept(InitNegotiation.Offer o, Toggle writeback, Toggle passthrough, boolean root) {
        var out = InitNegotiation.negotiate(o, new InitNegotiation.Wishes(writeback, passthrough, root));
        assertThat(out).isInstanceOf(InitNegotiation.Accept.class);
        return ((InitNegotiation.Accept) out).negotiated();
    }

    @Test
    void asksForTheWantedFlagsAndNeverForLocks() {
        Negotiated n = accept(LINUX_6_18, Toggle.AUTO, Toggle.AUTO, true);
        assertThat(n.minor()).isEqualTo(45);
        assertThat(n.has(InitNegotiation.WANTED)).isTrue();
        assertThat(n.flags() & (Proto.POSIX_LOCKS | Proto.FLOCK_LOCKS | Proto.AUTO_INVAL_DATA | Proto.EXPORT_SUPPORT
                | Proto.POSIX_ACL | Proto.DONT_MASK)).isZero();
        assertThat(n.maxWrite()).isEqualTo(1 << 20);
        assertThat(n.maxReadahead()).isEqualTo(131072);
    }

    @Test
    void passthroughAsRootExcludesWriteback() {
        Negotiated n = accept(LINUX_6_18, Toggle.AUTO, Toggle.AUTO, true);
        assertThat(n.passthrough()).isTrue();
        assertThat(n.writeback()).isFalse();
        assertThat(n.has(Proto.PASSTHROUGH | Proto.INIT_EXT)).isTrue();
        assertThat(n.has(Proto.WRITEBACK_CACHE)).isFalse();
    }

    @Test
    void withoutRootWritebackTakesOver() {
        Negotiated n = accept(LINUX_6_18, Toggle.AUTO, Toggle.AUTO, false);
        assertThat(n.passthrough()).isFalse();
        assertThat(n.writeback()).isTrue();
    }

    @Test
    void explicitChoices() {
        assertThat(accept(LINUX_6_18, Toggle.ON, Toggle.AUTO, true).writeback()).isTrue();
        assertThat(accept(LINUX_6_18, Toggle.ON, Toggle.AUTO, true).passthrough()).isFalse();
        Negotiated both = accept(LINUX_6_18, Toggle.ON, Toggle.ON, true);
        assertThat(both.passthrough()).as("an explicit passthrough wins").isTrue();
        assertThat(both.writeback()).isFalse();
        Negotiated off = accept(LINUX_6_18, Toggle.OFF, Toggle.OFF, true);
        assertThat(off.passthrough() || off.writeback()).isFalse();
    }

    @Test
    void olderKernelsGetTheirMinorAndNoPassthrough() {
        var old = new InitNegotiation.Offer(7, 38, 65536, 0x3fffffffL | Proto.INIT_EXT);
        Negotiated n = accept(old, Toggle.AUTO, Toggle.AUTO, true);
        assertThat(n.minor()).isEqualTo(38);
        assertThat(n.passthrough()).isFalse();
        assertThat(n.writeback()).isTrue();
        var newer = new InitNegotiation.Offer(7, 99, 65536, 0);
        assertThat(accept(newer, Toggle.AUTO, Toggle.AUTO, true).minor()).isEqualTo(45);
    }

    @Test
    void refusesOtherMajorsAndAncientMinors() {
        var w = new InitNegotiation.Wishes(Toggle.AUTO, Toggle.AUTO, true);
        assertThat(InitNegotiation.negotiate(new InitNegotiation.Offer(8, 0, 0, 0), w))
                .isInstanceOf(InitNegotiation.Refuse.class);
        assertThat(InitNegotiation.negotiate(new InitNegotiation.Offer(7, 20, 0, 0), w))
                .isInstanceOf(InitNegotiation.Refuse.class);
    }

    @Test
    void decodesFlags2OnlyWithInitExt() throws Exception {
        byte[] ext = new Harness.Args().u32(7).u32(45).u32(4096).u32((int) Proto.INIT_EXT).u32(0x20).zeros(44).bytes();
        assertThat(InitNegotiation.decode(StructLayoutTest.request(Proto.INIT, ext)).flags())
                .isEqualTo(Proto.INIT_EXT | Proto.PASSTHROUGH);
        byte[] noExt = new Harness.Args().u32(7).u32(45).u32(4096).u32(1).u32(0x20).zeros(44).bytes();
        assertThat(InitNegotiation.decode(StructLayoutTest.request(Proto.INIT, noExt)).flags()).isEqualTo(1);
        byte[] compat = new Harness.Args().u32(7).u32(31).u32(4096).u32(1).bytes();
        assertThat(InitNegotiation.decode(StructLayoutTest.request(Proto.INIT, compat)).minor()).isEqualTo(31);
    }
}
