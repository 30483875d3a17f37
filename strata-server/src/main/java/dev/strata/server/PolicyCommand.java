package dev.strata.server;

import dev.strata.server.MountControl.Effective;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata policy set|show|unset}: durability policies of directories ({@code user.strata.policy}). */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Set, show or remove a directory's durability policy (inherited by everything below it).",
        subcommands = {PolicyCommand.Set.class, PolicyCommand.Show.class, PolicyCommand.Unset.class})
final class PolicyCommand implements Runnable {
    static final List<String> DURABILITIES = List.of("scratch", "async", "sync");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: set, show or unset");
    }

    /** The attribute value for the options, validated: {@code durability=sync max-dirty-age=300s}. */
    static String value(String durability, String maxDirtyAge) throws CliException {
        String d = durability.strip().toLowerCase(Locale.ROOT);
        if (!DURABILITIES.contains(d)) {
            throw new CliException("--durability takes scratch, async or sync, not '" + durability + "'");
        }
        if (maxDirtyAge == null) {
            return "durability=" + d;
        }
        if (d.equals("scratch")) {
            throw new CliException("--max-dirty-age does not apply to scratch: scratch files are never archived");
        }
        return "durability=" + d + " max-dirty-age=" + Durations.seconds(Durations.parse("--max-dirty-age", maxDirtyAge));
    }

    /** Where an effective policy comes from, in words. */
    static String source(MountControl control, Path path, Effective effective) {
        Optional<Path> dir = MountControl.policySource(path, effective.fromIno());
        if (dir.isEmpty()) {
            return effective.fromIno() < 0 ? "unknown" : "inode " + effective.fromIno();
        }
        boolean own;
        try {
            own = control.ownPolicy(dir.get()).isPresent();
        } catch (CliException e) {
            own = true;
        }
        if (!own) {
            // The source is the root, which sets no policy of its own: ./strata mount's options apply.
            return "the mount's default (no directory up to " + dir.get() + " sets a policy)";
        }
        return dir.get().equals(path.toAbsolutePath().normalize()) ? path + " itself" : dir.get().toString();
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Give a directory its own policy; files and directories below it inherit it unless they "
                    + "have their own.")
    static final class Set implements Callable<Integer> {
        private final ControlEnv env;

        @Parameters(index = "0", paramLabel = "DIR", description = "A directory on a Strata mount.")
        Path dir;

        @Option(names = "--durability", required = true, paramLabel = "scratch|async|sync",
                description = "scratch: never archived; async: archived within --max-dirty-age after a change; "
                        + "sync: close and fsync return only once the file is archived.")
        String durability;

        @Option(names = "--max-dirty-age", paramLabel = "DURATION",
                description = "How long a change may stay only on the fast tier, like 30s, 5m or 2h (omitted: "
                        + "Strata's default, 5m).")
        String maxDirtyAge;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Set(ControlEnv env) {
            this.env = env;
        }

        @Override
        public Integer call() throws CliException {
            String value = value(durability, maxDirtyAge);
            if (!Files.isDirectory(dir)) {
                throw new CliException(dir + (Files.exists(dir) ? " is not a directory" : ": no such directory")
                        + ": a policy is set on a directory and applies to everything below it");
            }
            MountControl control = env.control();
            control.effectivePolicy(dir); // proves that dir is on a Strata mount before writing to it
            control.setPolicy(dir, value);
            PrintWriter out = spec.commandLine().getOut();
            out.println(dir + ": " + control.ownPolicy(dir).orElse(value));
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a path's own policy (directories only) and the policy that applies to it, with its source.")
    static final class Show implements Callable<Integer> {
        private final ControlEnv env;

        @Parameters(index = "0", paramLabel = "PATH", description = "A file or directory on a Strata mount.")
        Path path;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Show(ControlEnv env) {
            this.env = env;
        }

        @Override
        public Integer call() throws CliException {
            MountControl control = env.control();
            Effective effective = control.effectivePolicy(path);
            String own = Files.isDirectory(path)
                    ? control.ownPolicy(path).orElse("none (inherits)")
                    : "none (policies are set on directories)";
            PrintWriter out = spec.commandLine().getOut();
            out.println("path:      " + path);
            out.println("own:       " + own);
            out.println("effective: " + effective.policy());
            out.println("from:      " + source(control, path, effective));
            out.flush();
            return 0;
        }
    }

    @Command(name = "unset", mixinStandardHelpOptions = true,
            description = "Remove a directory's own policy; it then inherits from the directories above it.")
    static final class Unset implements Callable<Integer> {
        private final ControlEnv env;

        @Parameters(index = "0", paramLabel = "DIR", description = "A directory on a Strata mount.")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Unset(ControlEnv env) {
            this.env = env;
        }

        @Override
        public Integer call() throws CliException {
            MountControl control = env.control();
            control.effectivePolicy(dir); // proves that dir is on a Strata mount before writing to it
            PrintWriter out = spec.commandLine().getOut();
            if (!control.removePolicy(dir)) {
                out.println(dir + " has no policy of its own; nothing to unset");
            } else {
                Effective now = control.effectivePolicy(dir);
                out.println(dir + ": policy removed; it now inherits " + now.policy() + " from "
                        + source(control, dir, now));
            }
            out.flush();
            return 0;
        }
    }
}
