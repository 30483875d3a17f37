package dev.strata.server;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code ./strata COMMAND ...}. */
@Command(
        name = "strata",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A tiered POSIX file system: a FUSE mount on a fast local tier, backed by object storage.",
        subcommands = {
            MountCommand.class,
            UmountCommand.class,
            StatusCommand.class,
            HsmCommand.class,
            PolicyCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Commands handled by ./strata itself (before Java starts):",
            "  test      run the whole test suite (what CI runs)",
            "  build     rebuild the project",
            "",
            "status, hsm and policy act on a running mount through paths inside it",
            "(see docs/HSM.md).",
            "",
            "Exit status: 0 success; 1 an error the message explains (with several files:",
            "any of them failed); 2 a usage error."
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
        return run(ControlEnv.SYSTEM, null, null, args);
    }

    /**
     * Runs the CLI with the control commands' environment and, when not null, the output and
     * error writers given (for tests).
     */
    static int run(ControlEnv env, PrintWriter stdout, PrintWriter stderr, String... args) {
        CommandLine cl = new CommandLine(new Main(), new Factory(env));
        if (stdout != null) {
            cl.setOut(stdout);
        }
        if (stderr != null) {
            cl.setErr(stderr);
        }
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

    /**
     * Creates command classes: those with a {@code (ControlEnv)} constructor get the environment,
     * everything else (other commands, mixins, converters) picocli's default factory.
     */
    private record Factory(ControlEnv env) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            Constructor<K> withEnv;
            try {
                withEnv = cls.getDeclaredConstructor(ControlEnv.class);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
            withEnv.setAccessible(true);
            return withEnv.newInstance(env);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"strata " + (v == null ? "development build" : v) + ", Java " + Runtime.version()};
        }
    }
}
