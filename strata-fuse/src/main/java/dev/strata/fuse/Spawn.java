package dev.strata.fuse;

import dev.strata.nativeio.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a child process that inherits one extra descriptor, which {@link ProcessBuilder} cannot do
 * (the JDK closes every descriptor above 2 in the child). fusermount3 needs this: it sends the
 * /dev/fuse descriptor back over the socket named by {@code _FUSE_COMMFD}.
 *
 * <p>The child's stdout and stderr go to a file so a failure can be reported in its own words.
 */
final class Spawn {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;
    /** glibc's posix_spawn_file_actions_t is 80 bytes on LP64; leave room. */
    private static final long FILE_ACTIONS_BYTES = 256;
    private static final int O_WRONLY_CREAT_TRUNC = Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC;

    private static final MethodHandle SPAWNP = Libc.bind("posix_spawnp",
            FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR));
    private static final MethodHandle ACTIONS_INIT = Libc.bind("posix_spawn_file_actions_init",
            FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle ACTIONS_ADDOPEN = Libc.bind("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(INT, PTR, INT, PTR, INT, INT));
    private static final MethodHandle ACTIONS_DESTROY = Libc.bind("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle WAITPID = Libc.bind("waitpid", FunctionDescriptor.of(INT, INT, PTR, INT));

    private Spawn() {}

    /** A started child. */
    record Child(int pid) {
        /** Waits for the child and returns its exit status (128 + signal if it was killed). */
        int waitFor() throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment status = arena.allocate(INT);
                MemorySegment cap = Libc.captureSegment();
                while (true) {
                    int r = (int) WAITPID.invokeExact(cap, pid, status, 0);
                    if (r == pid) {
                        int s = status.get(INT, 0);
                        int signal = s & 0x7f;
                        return signal == 0 ? (s >> 8) & 0xff : 128 + signal;
                    }
                    int e = Libc.errno(cap);
                    if (e != Sys.EINTR) {
                        throw new dev.strata.nativeio.ErrnoException("waitpid", e, "pid " + pid);
                    }
                }
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }

    /**
     * Starts {@code argv} (looked up on PATH) with the environment of this process plus
     * {@code extraEnv}; stdout and stderr go to {@code output}. Descriptors without FD_CLOEXEC are
     * inherited, which is how the caller passes one on purpose.
     */
    static Child start(List<String> argv, Map<String, String> extraEnv, Path output) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = stringArray(arena, argv);
            List<String> env = new ArrayList<>();
            System.getenv().forEach((k, v) -> {
                if (!extraEnv.containsKey(k)) {
                    env.add(k + "=" + v);
                }
            });
            extraEnv.forEach((k, v) -> env.add(k + "=" + v));
            MemorySegment envp = stringArray(arena, env);
            MemorySegment actions = arena.allocate(FILE_ACTIONS_BYTES, 8);
            MemorySegment out = Libc.cString(arena, output);
            MemorySegment cap = Libc.captureSegment();
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.invokeExact(cap, actions));
            try {
                check("posix_spawn_file_actions_addopen",
                        (int) ACTIONS_ADDOPEN.invokeExact(cap, actions, 1, out, O_WRONLY_CREAT_TRUNC, 0600));
                check("posix_spawn_file_actions_addopen",
                        (int) ACTIONS_ADDOPEN.invokeExact(cap, actions, 2, out, Libc.O_WRONLY | Libc.O_APPEND, 0600));
                MemorySegment pid = arena.allocate(INT);
                MemorySegment file = Libc.cString(arena, argv.getFirst().getBytes(StandardCharsets.UTF_8));
                // posix_spawnp returns the error number itself; errno is not used.
                int r = (int) SPAWNP.invokeExact(cap, pid, file, actions, MemorySegment.NULL, args, envp);
                if (r != 0) {
                    throw new dev.strata.nativeio.ErrnoException("posix_spawnp", r, argv.getFirst());
                }
                return new Child(pid.get(INT, 0));
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(cap, actions);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static void check(String call, int r) throws IOException {
        if (r != 0) {
            throw new dev.strata.nativeio.ErrnoException(call, r, null);
        }
    }

    private static MemorySegment stringArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(PTR.byteSize() * (strings.size() + 1L), 8);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i,
                    Libc.cString(arena, strings.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }
}
