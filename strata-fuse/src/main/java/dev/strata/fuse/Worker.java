package dev.strata.fuse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread's loop: read a request into its own off-heap buffer, dispatch it, reply with
 * one writev(2), repeat. Platform, not virtual, threads: every step is an FFM downcall that would pin
 * a virtual thread's carrier anyway.
 *
 * <p>Outcomes of read(2): a request; EAGAIN (none queued: wait in epoll); ENOENT (the request was
 * interrupted before we got it) or EINTR: read again; ENODEV: the file system was unmounted, the
 * worker ends. A request can never end the worker: the dispatcher answers every one.
 */
final class Worker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    /** Why a worker stopped. */
    enum Exit { UNMOUNTED, STOPPED, FAILED }

    /** Told when the worker ends (exactly once). */
    interface Listener {
        void workerEnded(Worker w, Exit exit);
    }

    private final FuseDevice device;
    private final Dispatcher dispatcher;
    private final Listener listener;
    private final long requestBufferBytes;
    private final long replyBufferBytes;

    Worker(FuseDevice device, Dispatcher dispatcher, Listener listener, long requestBufferBytes,
            long replyBufferBytes) {
        this.device = device;
        this.dispatcher = dispatcher;
        this.listener = listener;
        this.requestBufferBytes = requestBufferBytes;
        this.replyBufferBytes = replyBufferBytes;
    }

    @Override
    public void run() {
        Exit exit = Exit.FAILED;
        try (Arena arena = Arena.ofConfined(); FuseDevice.Waiter waiter = device.waiter(arena)) {
            exit = loop(arena, waiter);
        } catch (Throwable t) {
            LOG.error("FUSE worker {} failed", Thread.currentThread().getName(), t);
        } finally {
            listener.workerEnded(this, exit);
        }
    }

    private Exit loop(Arena arena, FuseDevice.Waiter waiter) {
        MemorySegment in = arena.allocate(requestBufferBytes, 64);
        MemorySegment outBuffer = arena.allocate(replyBufferBytes, 64);
        Request request = new Request(in);
        Reply reply = new Reply(outBuffer, device.sink(arena));
        while (!device.stopRequested()) {
            long n = device.read(in);
            if (n > 0) {
                if (serve(request, reply, n) == -Sys.ENODEV) {
                    return Exit.UNMOUNTED;
                }
                continue;
            }
            int errno = (int) -n;
            switch (errno) {
                case 0, Sys.EAGAIN -> {
                    if (!waiter.awaitReadable()) {
                        return Exit.STOPPED;
                    }
                }
                case Sys.ENOENT, Sys.EINTR -> { }
                case Sys.ENODEV -> {
                    return Exit.UNMOUNTED;
                }
                default -> {
                    LOG.error("reading /dev/fuse failed: {}", dev.strata.nativeio.Errnos.describe(errno));
                    return Exit.FAILED;
                }
            }
        }
        return Exit.STOPPED;
    }

    /** Serves one request; returns the send result (0 or -errno) of its reply. */
    private int serve(Request request, Reply reply, long length) {
        try {
            if (!request.reset(length)) {
                LOG.warn("dropping a {}-byte request: too short to answer", length);
                return 0;
            }
        } catch (MalformedRequest e) {
            dispatcher.rejectMalformed(request, reply, e);
            return reply.lastSendResult();
        }
        dispatcher.dispatch(request, reply);
        int sent = reply.lastSendResult();
        if (sent < 0 && sent != -Sys.ENOENT && sent != -Sys.ENODEV) {
            // ENOENT: the request was interrupted and the kernel stopped waiting; nothing to do.
            LOG.error("reply to {} {} rejected by the kernel: {}", Proto.opcodeName(request.opcode()),
                    request.unique(), dev.strata.nativeio.Errnos.describe(-sent));
        }
        return sent;
    }
}
