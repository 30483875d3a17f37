package dev.strata.server;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code [-r] PATH...} of the hsm commands. */
final class HsmPaths {
    @Option(names = {"-r", "--recursive"},
            description = "For a directory, every regular file below it (symlinks are not followed; other "
                    + "special files are skipped).")
    boolean recursive;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files on a Strata mount (directories with -r).")
    List<Path> paths;
}
