package dev.strata.fuse;

import dev.strata.core.Name;
import dev.strata.core.fs.PosixFileSystem;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mounted Strata file system served over /dev/fuse.
 *
 * <p>Lifecycle: {@link #start()} mounts, starts the workers and returns once the kernel's INIT
 * handshake is done. {@link #close()} unmounts (lazily if busy), lets the workers drain, stops them
 * and calls {@link PosixFileSystem#destroy()}; it is idempotent. If the file system is unmounted
 * from outside ({@code umount}), the workers see ENODEV, the session ends by itself, destroys the
 * engine and completes {@link #ended()} with {@link End#UNMOUNTED}.
 *
 * <h2>Concurrency</h2>
 * <ul>
 *   <li>Threads: {@link FuseConfig#workers()} platform threads "strata-fuse-N" (non-daemon: a mounted
 *       file system keeps the JVM alive). Each owns its request buffer ({@link #REQUEST_BUFFER_BYTES}),
 *       reply buffer ({@link #REPLY_BUFFER_BYTES}) and iovec in a confined arena; nothing of a request
 *       is shared between workers. The thread calling {@link #start()}/{@link #close()} only mounts,
 *       unmounts and joins. Notifications may be sent from any thread.
 *   <li>Shared: the {@link PosixFileSystem} (thread-safe by contract); the device descriptor (the
 *       kernel serialises each read and each write on it); the INIT outcome (a volatile written once
 *       before the kernel sends any other request); {@link BackingFiles} (its own monitor); per-opcode
 *       counters (LongAdder).
 *   <li>Locks: {@code lifecycle} guards the session state and end reason; {@link FuseDevice}'s
 *       read-write lock keeps ioctls and notifications off a closed descriptor; {@link BackingFiles}'s
 *       monitor guards registrations. No code holds two of them at once, so there is no lock order.
 *       Workers call the engine without holding any lock.
 * </ul>
 * A notification about a directory must not be sent from inside a request handler of that
 * directory: the kernel takes the directory's lock to process it.
 */
public final class FuseSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseSession.class);

    /** The largest WRITE payload we accept (max_write). */
    public static final int MAX_WRITE_BYTES = InitNegotiation.MAX_WRITE_BYTES;
    /** A request is at most header + fuse_write_in + max_write; the rest is headroom. */
    public static final long REQUEST_BUFFER_BYTES = MAX_WRITE_BYTES + 64 * 1024;
    private static final int PAGE_BYTES = 4096;
    /** A READ or READDIR reply is at most max_pages pages. */
    public static final long REPLY_BUFFER_BYTES = Proto.OUT_HEADER + (long) InitNegotiation.MAX_PAGES * PAGE_BYTES;
    static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);
    /** How long close() lets a busy (lazily detached) mount drain before it stops serving it. */
    static final Duration UNMOUNT_GRACE = Duration.ofSeconds(3);
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

    /** Why the session ended. */
    public enum End {
        /** {@link #close()} was called. */
        CLOSED,
        /** The file system was unmounted from outside (umount, fusermount3 -u). */
        UNMOUNTED,
        /** A worker failed in a way that could not be answered (see the log). */
        FAILED
    }

    private enum State { NEW, RUNNING, CLOSING, ENDED }

    private final FuseConfig config;
    private final PosixFileSystem fs;
    private final Object lifecycle = new Object();
    private final CompletableFuture<Negotiated> initialized = new CompletableFuture<>();
    private final CompletableFuture<End> ended = new CompletableFuture<>();
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicInteger liveWorkers = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private State state = State.NEW;
    private End endReason;
    private FuseMount.Mounted mounted;
    private FuseDevice device;
    private Dispatcher dispatcher;
    private BackingFiles backing;

    public FuseSession(FuseConfig config, PosixFileSystem fs) {
        this.config = config;
        this.fs = fs;
    }

    /** Mounts and serves; returns after the INIT handshake. */
    public void start() throws IOException {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("session already started");
            }
            state = State.RUNNING;
        }
        boolean privileged = FuseMount.privileged();
        try {
            mounted = FuseMount.mount(config);
        } catch (MountException | RuntimeException e) {
            synchronized (lifecycle) {
                state = State.ENDED;
            }
            ended.complete(End.FAILED);
            throw e;
        }
        try {
            device = new FuseDevice(mounted.deviceFd());
        } catch (IOException e) {
            dev.strata.nativeio.Libc.close(mounted.deviceFd());
            unmountQuietly(true);
            throw e;
        }
        backing = new BackingFiles(new BackingFiles.Registrar() {
            @Override
            public int open(int fd) {
                return device.backingOpen(fd);
            }

            @Override
            public int close(int backingId) {
                return device.backingClose(backingId);
            }
        });
        Conn conn = new Conn(fs, Timeout.of(config.entryTimeout()), Timeout.of(config.attrTimeout()), backing);
        dispatcher = new Dispatcher(conn,
                new InitNegotiation.Wishes(config.writebackCache(), config.passthrough(), privileged),
                new Lifecycle(), config.debug());
        liveWorkers.set(config.workers());
        for (int i = 0; i < config.workers(); i++) {
            Worker w = new Worker(device, dispatcher, this::workerEnded, REQUEST_BUFFER_BYTES, REPLY_BUFFER_BYTES);
            Thread t = Thread.ofPlatform().name("strata-fuse-" + i).daemon(false).unstarted(w);
            threads.add(t);
            t.start();
        }
        try {
            initialized.get(INIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ReadAhead.widen(mounted.mountpoint());
        } catch (ExecutionException | TimeoutException e) {
            close();
            String why = e instanceof TimeoutException ? "no INIT within " + INIT_TIMEOUT.toSeconds() + " s"
                    : e.getCause().getMessage();
            throw new MountException("the kernel did not complete the FUSE handshake at " + mounted.mountpoint()
                    + ": " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new MountException("interrupted while waiting for the FUSE handshake");
        }
    }

    /** Completes when the session has ended, with the reason. */
    public CompletableFuture<End> ended() {
        return ended.copy();
    }

    public Path mountpoint() {
        return config.mountpoint().toAbsolutePath().normalize();
    }

    /** The kernel serves reads and writes of registered files directly (negotiated, not disabled). */
    public boolean passthroughActive() {
        Negotiated n = initialized.getNow(null);
        return n != null && n.passthrough() && !backing.disabled();
    }

    public boolean writebackCacheActive() {
        Negotiated n = initialized.getNow(null);
        return n != null && n.writeback();
    }

    /** Open handles the passthrough registry tracks (bounded by the engine's open handles). */
    int passthroughTrackedHandles() {
        return backing == null ? 0 : backing.trackedHandles();
    }

    /** Requests of an opcode served so far (for tests and metrics). */
    long requests(int opcode) {
        return dispatcher == null ? 0 : dispatcher.count(opcode);
    }

    /**
     * Drops the kernel's cached attributes and data of {@code ino} ({@code length} 0 = to the end of
     * the file; a negative {@code offset} drops attributes only).
     *
     * @return false if the kernel had nothing cached for the inode
     */
    public boolean invalidateInode(long ino, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return notify(Notifications.invalInode(arena, ino, offset, length));
        }
    }

    /** Drops the kernel's cached entry {@code name} in {@code parent}. @return false if none was cached */
    public boolean invalidateEntry(long parent, Name name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return notify(Notifications.invalEntry(arena, parent, name.unsafeBytes()));
        }
    }

    private boolean notify(MemorySegment message) throws IOException {
        if (!initialized.isDone() || device == null) {
            throw new IllegalStateException("the session has not completed INIT");
        }
        int r = device.writeUnsolicited(message);
        if (r == -Sys.ENOENT) {
            return false;
        }
        if (r < 0) {
            throw new dev.strata.nativeio.ErrnoException("notify", -r, null);
        }
        return true;
    }

    /** Unmounts (if still mounted), stops the workers and destroys the engine. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (state == State.NEW) {
                state = State.ENDED;
                ended.complete(End.CLOSED);
                return;
            }
            if (state != State.RUNNING) {
                return;
            }
            state = State.CLOSING;
        }
        if (!ended.isDone()) {
            unmountQuietly(false);
            awaitQuietly(UNMOUNT_GRACE);
        }
        if (device != null) {
            device.requestStop();
        }
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        boolean allJoined = true;
        for (Thread t : threads) {
            try {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                if (!t.join(Duration.ofMillis(left))) {
                    allJoined = false;
                    LOG.error("FUSE worker {} did not stop within {} s; leaving /dev/fuse open", t.getName(),
                            JOIN_TIMEOUT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                allJoined = false;
                break;
            }
        }
        finish(allJoined);
        synchronized (lifecycle) {
            state = State.ENDED;
        }
    }

    private void unmountQuietly(boolean lazy) {
        try {
            FuseMount.unmount(mounted.mountpoint(), mounted.method(), lazy);
        } catch (MountException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    private void awaitQuietly(Duration d) {
        try {
            ended.get(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.info("{} still in use after {} s; stopping to serve it (users get ENOTCONN)",
                    mounted.mountpoint(), d.toSeconds());
        } catch (ExecutionException e) {
            // ended never completes exceptionally
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void workerEnded(Worker w, Worker.Exit exit) {
        synchronized (lifecycle) {
            if (endReason == null) {
                endReason = switch (exit) {
                    case UNMOUNTED -> state == State.CLOSING ? End.CLOSED : End.UNMOUNTED;
                    case STOPPED -> End.CLOSED;
                    case FAILED -> End.FAILED;
                };
            }
        }
        // One worker's end is everyone's: after ENODEV the others see it too; after a failure they stop.
        device.requestStop();
        if (liveWorkers.decrementAndGet() == 0) {
            finish(true);
        }
    }

    /** Runs once, after the last worker: destroy the engine, close the device, report the end. */
    private void finish(boolean closeDevice) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        End reason;
        synchronized (lifecycle) {
            reason = endReason == null ? End.CLOSED : endReason;
        }
        if (dispatcher != null) {
            LOG.info("requests served: {}", dispatcher.summary());
        }
        try {
            destroyEngine();
        } finally {
            if (closeDevice && device != null) {
                device.close();
            }
            initialized.completeExceptionally(new IllegalStateException("session ended"));
            switch (reason) {
                case UNMOUNTED -> LOG.info("{} was unmounted from outside; the FUSE session ended", mountpoint());
                case FAILED -> LOG.error("the FUSE session at {} ended after a failure", mountpoint());
                case CLOSED -> LOG.info("the FUSE session at {} is closed", mountpoint());
            }
            ended.complete(reason);
        }
    }

    private void destroyEngine() {
        if (destroyed.compareAndSet(false, true)) {
            try {
                fs.destroy();
            } catch (RuntimeException e) {
                LOG.error("destroying the file system failed", e);
            }
        }
    }

    private final class Lifecycle implements Dispatcher.Lifecycle {
        @Override
        public void initialized(Negotiated n) {
            initialized.complete(n);
        }

        @Override
        public void initRefused(String reason) {
            initialized.completeExceptionally(new IllegalStateException(reason));
        }

        @Override
        public void destroyRequested() {
            destroyEngine();
        }
    }
}
