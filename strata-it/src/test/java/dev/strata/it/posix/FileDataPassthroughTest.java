package dev.strata.it.posix;

/** {@link FileDataSemantics} with FUSE passthrough on (the default as root): data bypasses the server. */
class FileDataPassthroughTest extends FileDataSemantics {
    @Override
    String[] mountArgs() {
        return new String[] {"--passthrough", "on"};
    }

    @Override
    boolean passthrough() {
        return true;
    }
}
