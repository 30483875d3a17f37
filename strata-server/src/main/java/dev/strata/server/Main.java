package dev.strata.server;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code ./strata COMMAND ...}. */
@Command(
        name = "strata",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A tiered POSIX file system: a FUSE mount on a fast local tier, backed by object storage.",
        subcommands = {MountCommand.class, UmountCommand.class, CommandLine.HelpCommand.class},
        footer = {
            "",
            "Commands handled by ./strata itself (before Java starts):",
            "  test      run the whole test suite (what CI runs)",
            "  build     rebuild the project",
            "",
            "Exit status: 0 success, 1 an error the message explains, 2 a usage error."
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see ./strata --help)");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit status, without exiting (for tests). */
    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, argv) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("strata: " + ex.getMessage());
            err.println("Try './strata " + commandPath(ex.getCommandLine()) + "--help' for usage.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof CliException) {
                err.println("strata: " + ex.getMessage());
            } else {
                err.println("strata: unexpected error: " + ex);
                ex.printStackTrace(err);
            }
            return 1;
        });
        return cl.execute(args);
    }

    private static String commandPath(CommandLine cl) {
        String path = cl.getCommandSpec().qualifiedName(" ");
        path = path.startsWith("strata") ? path.substring("strata".length()).trim() : path;
        return path.isEmpty() ? "" : path + " ";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"strata " + (v == null ? "development build" : v) + ", Java " + Runtime.version()};
        }
    }
}
