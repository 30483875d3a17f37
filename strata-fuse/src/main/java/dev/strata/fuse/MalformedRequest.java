package dev.strata.fuse;

/**
 * A request that does not match its opcode's layout (too short, a name without its NUL). The kernel
 * never sends one; if it happens, the request gets EINVAL and the worker goes on.
 */
final class MalformedRequest extends Exception {
    MalformedRequest(String message) {
        super(message, null, false, false);
    }
}
