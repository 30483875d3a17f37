package dev.strata.it.posix;

/**
 * {@link AttributeTest} with {@code --passthrough off}: the kernel's writeback cache then keeps mtime
 * and ctime of written files itself and sends them to the server with SETATTR.
 */
class AttributeNoPassthroughTest extends AttributeTest {
    @Override
    String[] mountArgs() {
        return new String[] {"--passthrough", "off"};
    }
}
