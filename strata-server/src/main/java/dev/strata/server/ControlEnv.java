package dev.strata.server;

import dev.strata.core.store.Sleeper;

/**
 * What the control commands ({@code hsm}, {@code policy}, {@code status}) take from outside: the
 * extended-attribute calls and time. {@link Main} hands it to every command class with a
 * {@code (ControlEnv)} constructor; tests pass a fake mount and a fake clock.
 */
record ControlEnv(Xattrs xattrs, Sleeper sleeper) {
    static final ControlEnv SYSTEM = new ControlEnv(Xattrs.SYSTEM, Sleeper.SYSTEM);

    MountControl control() {
        return new MountControl(xattrs);
    }
}
