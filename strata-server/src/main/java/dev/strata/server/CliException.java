package dev.strata.server;

/** An error the user can act on; printed as one line, exit status 1. */
final class CliException extends Exception {
    CliException(String message) {
        super(message, null, false, false);
    }
}
