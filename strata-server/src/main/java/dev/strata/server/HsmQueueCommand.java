package dev.strata.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata hsm queue [MOUNTPOINT] [--retry ID | --discard ID]}: the mover's queues and dead letters. */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Show the mover's queues and the tasks that failed for good (dead letters); retry or discard one.")
final class HsmQueueCommand implements Callable<Integer> {
    /** Dead letters are numbered (the task's id); anything else cannot name one. */
    private static final Pattern ID = Pattern.compile("[0-9]{1,19}");

    private final ControlEnv env;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MOUNTPOINT",
            description = "The mount, or any path inside it (default: the current directory).")
    Path mountpoint;

    @ArgGroup(exclusive = true)
    Action action;

    static final class Action {
        @Option(names = "--retry", paramLabel = "ID", description = "Queue dead letter ID again (its attempts start over).")
        String retry;

        @Option(names = "--discard", paramLabel = "ID", description = "Drop dead letter ID.")
        String discard;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    HsmQueueCommand(ControlEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws CliException {
        String verb = action == null ? null : action.retry != null ? "retry" : "discard";
        String id = action == null ? null : action.retry != null ? action.retry : action.discard;
        if (id != null && !ID.matcher(id).matches()) {
            throw new CliException("--" + verb + " takes a dead letter's number as ./strata hsm queue shows it (id=N),"
                    + " not '" + id + "'");
        }
        Path at = StatusCommand.orHere(mountpoint);
        MountControl control = env.control();
        String queue;
        try {
            queue = control.queue(at);
        } catch (CliException e) {
            throw StatusCommand.withHint(e, mountpoint, "./strata hsm queue MOUNTPOINT");
        }
        var out = spec.commandLine().getOut();
        if (id == null) {
            out.print(queue.endsWith("\n") || queue.isEmpty() ? queue : queue + "\n");
        } else {
            if (!hasDeadLetter(queue, id)) {
                throw new CliException("no dead letter with id " + id + " at " + at + " (./strata hsm queue lists them)");
            }
            control.queueCommand(at, verb, id);
            out.println(verb.equals("retry") ? "dead letter " + id + " queued again" : "dead letter " + id + " discarded");
        }
        out.flush();
        return 0;
    }

    /** Whether a line {@code dead id=ID ...} is in the queue text. */
    static boolean hasDeadLetter(String queue, String id) {
        for (String line : queue.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length > 1 && words[0].equals("dead") && words[1].equals("id=" + id)) {
                return true;
            }
        }
        return false;
    }
}
