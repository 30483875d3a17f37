package dev.strata.server;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process with a given control environment and captures its output. */
record CliRun(int status, String out, String err) {
    static CliRun of(ControlEnv env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(status, out.toString(), err.toString());
    }
}
