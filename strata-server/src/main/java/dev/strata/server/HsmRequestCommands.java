package dev.strata.server;

import dev.strata.server.MountControl.Request;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata hsm archive|release|restore}: thin shells over {@link HsmRequests}. */
final class HsmRequestCommands {
    private HsmRequestCommands() {}

    /** {@code --no-wait} and {@code --timeout} of archive and restore. */
    static final class Waiting {
        @Option(names = "--no-wait", description = "Return once the requests are queued.")
        boolean noWait;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
                description = "How long to wait for all files, like 30s, 5m or 2h (default: ${DEFAULT-VALUE}).")
        String timeout;

        Duration timeout() throws CliException {
            return Durations.parse("--timeout", timeout);
        }
    }

    @Command(name = "archive", mixinStandardHelpOptions = true,
            description = "Copy files to the capacity tier and wait until each is archived (its object committed).")
    static final class Archive implements Callable<Integer> {
        private final ControlEnv env;
        @Mixin HsmPaths files;
        @Mixin Waiting waiting;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        Archive(ControlEnv env) {
            this.env = env;
        }

        @Override
        public Integer call() throws CliException {
            Duration timeout = waiting.timeout();
            return new HsmRequests(env, Request.ARCHIVE, spec.commandLine().getOut(), spec.commandLine().getErr())
                    .run(files.paths, files.recursive, !waiting.noWait, timeout);
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Drop the fast tier's copy of archived files (reads then come from the capacity tier).")
    static final class Release implements Callable<Integer> {
        private final ControlEnv env;
        @Mixin HsmPaths files;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        Release(ControlEnv env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            return new HsmRequests(env, Request.RELEASE, spec.commandLine().getOut(), spec.commandLine().getErr())
                    .run(files.paths, files.recursive, false, Duration.ZERO);
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Bring released files back to the fast tier and wait until each is verified and local.")
    static final class Restore implements Callable<Integer> {
        private final ControlEnv env;
        @Mixin HsmPaths files;
        @Mixin Waiting waiting;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        Restore(ControlEnv env) {
            this.env = env;
        }

        @Override
        public Integer call() throws CliException {
            Duration timeout = waiting.timeout();
            return new HsmRequests(env, Request.RESTORE, spec.commandLine().getOut(), spec.commandLine().getErr())
                    .run(files.paths, files.recursive, !waiting.noWait, timeout);
        }
    }
}
