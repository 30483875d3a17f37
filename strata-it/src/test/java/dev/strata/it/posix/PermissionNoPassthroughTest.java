package dev.strata.it.posix;

/**
 * {@link PermissionTest} with {@code --passthrough off}: the kernel's writeback cache then keeps
 * mtime itself and sends it as an explicit time, and writes reach the server, which must clear
 * setuid/setgid itself.
 */
class PermissionNoPassthroughTest extends PermissionTest {
    @Override
    String[] mountArgs() {
        return new String[] {"--passthrough", "off"};
    }
}
