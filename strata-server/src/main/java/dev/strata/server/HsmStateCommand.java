package dev.strata.server;

import dev.strata.server.MountControl.Target;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code strata hsm state [-r] PATH...}: prints {@code PATH: state} per file. */
@Command(name = "state", mixinStandardHelpOptions = true,
        description = "Print each file's state: resident, dirty, archiving, archived, released or lost "
                + "(directory for a directory without -r).")
final class HsmStateCommand implements Callable<Integer> {
    private final ControlEnv env;

    @Mixin
    HsmPaths files;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    HsmStateCommand(ControlEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        MountControl control = env.control();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int[] failed = {0};
        FileWalk.expand(files.paths, files.recursive, control, new FileWalk.Visitor() {
            @Override
            public void file(Target file) {
                try {
                    out.println(file + ": " + control.state(file));
                } catch (CliException e) {
                    failed(e.getMessage());
                }
            }

            @Override
            public void failed(String message) {
                failed[0]++;
                out.flush();
                err.println("strata: " + message);
                err.flush();
            }
        });
        out.flush();
        return failed[0] == 0 ? 0 : 1;
    }
}
