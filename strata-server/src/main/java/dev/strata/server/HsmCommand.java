package dev.strata.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code strata hsm ...}: where files' data lives, and moving it between the tiers. */
@Command(name = "hsm", mixinStandardHelpOptions = true,
        description = "Show and move where files' data lives: the fast tier, the capacity tier (object store), or both.",
        subcommands = {
            HsmStateCommand.class,
            HsmRequestCommands.Archive.class,
            HsmRequestCommands.Release.class,
            HsmRequestCommands.Restore.class,
            HsmQueueCommand.class
        },
        footer = {"", "Files are named by their paths on a mounted Strata file system; see docs/HSM.md."})
final class HsmCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: state, archive, release, restore or queue");
    }
}
