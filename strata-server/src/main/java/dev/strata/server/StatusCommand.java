package dev.strata.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code strata status [MOUNTPOINT]}: the mount's own report, as {@code user.strata.status} gives it. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a mount's capacity tier, unarchived files and bytes at risk, and its queues.")
final class StatusCommand implements Callable<Integer> {
    private final ControlEnv env;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MOUNTPOINT",
            description = "The mount, or any path inside it (default: the current directory).")
    Path mountpoint;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    StatusCommand(ControlEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws CliException {
        String text;
        try {
            text = env.control().status(orHere(mountpoint));
        } catch (CliException e) {
            throw withHint(e, mountpoint, "./strata status MOUNTPOINT");
        }
        spec.commandLine().getOut().print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The path given, or the current directory. */
    static Path orHere(Path given) {
        return given != null ? given : Path.of("").toAbsolutePath();
    }

    /** When no path was given, an error about the current directory also says how to name a mount. */
    static CliException withHint(CliException e, Path given, String usage) {
        return given != null ? e
                : new CliException(e.getMessage() + "; run it inside a mount or name one: " + usage);
    }
}
