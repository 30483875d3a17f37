package dev.strata.it.posix;

import dev.strata.nativeio.ErrnoException;
import dev.strata.nativeio.Libc;
import java.nio.file.Path;

/**
 * A second process for the lock tests, run by {@link Child}. Prints one line and exits 0:
 * <ul>
 *   <li>{@code flock PATH sh|ex}: tries flock(LOCK_NB): "locked" or "busy ERRNO".
 *   <li>{@code setlk PATH rd|wr START LEN}: tries fcntl(F_SETLK): "locked" or "busy ERRNO".
 *   <li>{@code getlk PATH wr START LEN}: fcntl(F_GETLK): "unlocked" or "TYPE START LEN PID".
 *   <li>{@code hold-flock PATH} / {@code hold-setlk PATH START LEN}: takes an exclusive lock, prints
 *       "held PID", and keeps it until its standard input closes (or 60 s pass).
 * </ul>
 */
public final class Probe {
    private Probe() {}

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        int fd = Libc.open(path, Libc.O_RDWR, 0);
        try {
            switch (args[0]) {
                case "flock" -> {
                    int op = (args[2].equals("sh") ? Posix.LOCK_SH : Posix.LOCK_EX) | Posix.LOCK_NB;
                    System.out.println(attempt(() -> Posix.flock(fd, op)));
                }
                case "setlk" -> {
                    short type = args[2].equals("rd") ? Posix.F_RDLCK : Posix.F_WRLCK;
                    long start = Long.parseLong(args[3]);
                    long len = Long.parseLong(args[4]);
                    System.out.println(attempt(() -> Posix.setlk(fd, type, start, len)));
                }
                case "getlk" -> {
                    Posix.RecordLock l = Posix.getlk(fd, Posix.F_WRLCK, Long.parseLong(args[3]), Long.parseLong(args[4]));
                    System.out.println(l.type() == Posix.F_UNLCK ? "unlocked"
                            : l.type() + " " + l.start() + " " + l.length() + " " + l.pid());
                }
                case "hold-flock" -> hold(() -> Posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB));
                case "hold-setlk" -> hold(() -> Posix.setlk(fd, Posix.F_WRLCK, Long.parseLong(args[2]),
                        Long.parseLong(args[3])));
                default -> throw new IllegalArgumentException("unknown probe " + args[0]);
            }
        } finally {
            Libc.close(fd);
        }
        System.out.flush();
    }

    interface Call {
        void run() throws ErrnoException;
    }

    private static String attempt(Call c) {
        try {
            c.run();
            return "locked";
        } catch (ErrnoException e) {
            return "busy " + e.errno();
        }
    }

    private static void hold(Call c) throws Exception {
        c.run();
        System.out.println("held " + ProcessHandle.current().pid());
        System.out.flush();
        // A forgotten holder must not outlive the test run.
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException ignored) {
                // exit anyway
            }
            System.exit(2);
        });
        while (System.in.read() >= 0) {
            // hold until the parent closes our standard input
        }
    }
}
