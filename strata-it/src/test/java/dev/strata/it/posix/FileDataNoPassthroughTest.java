package dev.strata.it.posix;

/**
 * {@link FileDataSemantics} with {@code --passthrough off}: every read and write goes through the
 * server, and the kernel's writeback cache is on (its default then).
 */
class FileDataNoPassthroughTest extends FileDataSemantics {
    @Override
    String[] mountArgs() {
        return new String[] {"--passthrough", "off"};
    }

    @Override
    boolean passthrough() {
        return false;
    }
}
