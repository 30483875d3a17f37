package dev.strata.testkit.store;

import dev.strata.core.store.ForwardingObjectStore;
import dev.strata.core.store.ObjectStore;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.core.store.Sleeper;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes another store misbehave the way networks and stores do, on a seeded plan per operation:
 * <ul>
 *   <li><b>fail</b> the Nth call or each call with probability p, before it reaches the store, with
 *       {@link ObjectStoreException.Transient} (throttled or not: a 503 SlowDown or a 500);</li>
 *   <li><b>torn</b>: the call takes effect, then throws Transient, as when the reply is lost (for a
 *       complete: the object is there, the caller does not know);</li>
 *   <li><b>reset mid-read</b>: a failing read first delivers part of the bytes into the buffer, then
 *       throws, as a connection reset half-way through a body;</li>
 *   <li><b>latency</b> added to every call through the {@link Sleeper}.</li>
 * </ul>
 * Decisions come from one {@link SplittableRandom} under a lock, so a single-threaded run replays
 * exactly from its seed. Plans may be changed while calls run.
 */
public final class FaultInjectingObjectStore extends ForwardingObjectStore {

    /** What happens to one operation's calls; set through the fluent methods. */
    public static final class Plan {
        private final Set<Long> failCalls = new HashSet<>();
        private final Set<Long> tornCalls = new HashSet<>();
        private double failProbability;
        private double tornProbability;
        private boolean throttled;
        private boolean resetMidRead;
        private long latencyNanos;

        /** Fails the {@code n}th call (1-based) of this operation. */
        public synchronized Plan failNth(long n) {
            failCalls.add(n);
            return this;
        }

        /** Fails each call with probability {@code p} before it reaches the store. */
        public synchronized Plan failWithProbability(double p) {
            failProbability = p;
            return this;
        }

        /** Lets the {@code n}th call take effect, then throws as if its reply was lost. */
        public synchronized Plan tornNth(long n) {
            tornCalls.add(n);
            return this;
        }

        /** Lets each call take effect and then throw, with probability {@code p}. */
        public synchronized Plan tornWithProbability(double p) {
            tornProbability = p;
            return this;
        }

        /** Whether the injected errors say the store is throttling. */
        public synchronized Plan throttled(boolean value) {
            throttled = value;
            return this;
        }

        /** Failing reads deliver some bytes before they throw. */
        public synchronized Plan resetMidRead(boolean value) {
            resetMidRead = value;
            return this;
        }

        /** Every call first waits this long on the sleeper. */
        public synchronized Plan latencyNanos(long nanos) {
            latencyNanos = nanos;
            return this;
        }

        /** Back to no faults. */
        public synchronized Plan clear() {
            failCalls.clear();
            tornCalls.clear();
            failProbability = 0;
            tornProbability = 0;
            throttled = false;
            resetMidRead = false;
            latencyNanos = 0;
            return this;
        }
    }

    private enum Fault { NONE, FAIL, TORN }

    private final SplittableRandom random;
    private final Sleeper sleeper;
    private final EnumMap<StoreOp, Plan> plans = new EnumMap<>(StoreOp.class);
    private final EnumMap<StoreOp, AtomicLong> calls = new EnumMap<>(StoreOp.class);
    private final AtomicLong injected = new AtomicLong();

    public FaultInjectingObjectStore(ObjectStore delegate, long seed, Sleeper sleeper) {
        super(delegate);
        this.random = new SplittableRandom(seed);
        this.sleeper = sleeper;
        for (StoreOp op : StoreOp.values()) {
            plans.put(op, new Plan());
            calls.put(op, new AtomicLong());
        }
    }

    /** The plan of one operation. */
    public Plan on(StoreOp op) {
        return plans.get(op);
    }

    /** Applies {@code setup} to the plans of every operation. */
    public void onAll(java.util.function.Consumer<Plan> setup) {
        plans.values().forEach(setup);
    }

    /** Faults injected so far (failed, torn and reset calls). */
    public long injected() {
        return injected.get();
    }

    /** Calls of {@code op} seen, faulty or not. */
    public long calls(StoreOp op) {
        return calls.get(op).get();
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws ObjectStoreException {
        return run(StoreOp.HEAD, key, () -> super.head(key));
    }

    @Override
    public int read(String key, long offset, ByteBuffer dst, String ifMatch) throws ObjectStoreException {
        Plan plan = plans.get(StoreOp.READ);
        Fault fault = decide(StoreOp.READ, plan);
        if (fault == Fault.FAIL && resets(plan) && dst.remaining() > 1) {
            // Deliver a prefix of the range, then break like a reset connection.
            ByteBuffer part = dst.slice(dst.position(), dst.remaining() / 2);
            int n = super.read(key, offset, part, ifMatch);
            dst.position(dst.position() + n);
            throw transient_(StoreOp.READ, key, plan, "connection reset after " + n + " bytes");
        }
        return apply(StoreOp.READ, key, plan, fault, () -> super.read(key, offset, dst, ifMatch));
    }

    @Override
    public ObjectInfo put(String key, ByteBuffer content, int crc32c, Map<String, String> metadata)
            throws ObjectStoreException {
        return run(StoreOp.PUT, key, () -> super.put(key, content, crc32c, metadata));
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata) throws ObjectStoreException {
        return run(StoreOp.START_UPLOAD, key, () -> super.startUpload(key, metadata));
    }

    @Override
    public Part uploadPart(Upload upload, int partNumber, ByteBuffer content, int crc32c) throws ObjectStoreException {
        return run(StoreOp.UPLOAD_PART, upload.key(), () -> super.uploadPart(upload, partNumber, content, crc32c));
    }

    @Override
    public ObjectInfo completeUpload(Upload upload, List<Part> parts) throws ObjectStoreException {
        return run(StoreOp.COMPLETE_UPLOAD, upload.key(), () -> super.completeUpload(upload, parts));
    }

    @Override
    public void abortUpload(Upload upload) throws ObjectStoreException {
        run(StoreOp.ABORT_UPLOAD, upload.key(), () -> {
            super.abortUpload(upload);
            return null;
        });
    }

    @Override
    public void delete(String key) throws ObjectStoreException {
        run(StoreOp.DELETE, key, () -> {
            super.delete(key);
            return null;
        });
    }

    @Override
    public ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        return run(StoreOp.LIST, prefix, () -> super.list(prefix, delimited, continuation, maxKeys));
    }

    @Override
    public ObjectInfo copy(String from, String to, Map<String, String> metadata) throws ObjectStoreException {
        return run(StoreOp.COPY, to, () -> super.copy(from, to, metadata));
    }

    @Override
    public ObjectInfo setMetadata(String key, Map<String, String> metadata) throws ObjectStoreException {
        return run(StoreOp.SET_METADATA, key, () -> super.setMetadata(key, metadata));
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws ObjectStoreException;
    }

    private <T> T run(StoreOp op, String key, Call<T> call) throws ObjectStoreException {
        Plan plan = plans.get(op);
        return apply(op, key, plan, decide(op, plan), call);
    }

    private <T> T apply(StoreOp op, String key, Plan plan, Fault fault, Call<T> call) throws ObjectStoreException {
        if (fault == Fault.FAIL) {
            throw transient_(op, key, plan, "injected failure");
        }
        T result = call.run();
        if (fault == Fault.TORN) {
            throw transient_(op, key, plan, "reply lost after the call took effect");
        }
        return result;
    }

    private Fault decide(StoreOp op, Plan plan) {
        long n = calls.get(op).incrementAndGet();
        long latency;
        Fault fault;
        synchronized (plan) {
            latency = plan.latencyNanos;
            synchronized (random) {
                if (plan.failCalls.contains(n) || (plan.failProbability > 0 && random.nextDouble() < plan.failProbability)) {
                    fault = Fault.FAIL;
                } else if (plan.tornCalls.contains(n) || (plan.tornProbability > 0 && random.nextDouble() < plan.tornProbability)) {
                    fault = Fault.TORN;
                } else {
                    fault = Fault.NONE;
                }
            }
        }
        if (latency > 0) {
            try {
                sleeper.sleepNanos(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return fault;
    }

    private static boolean resets(Plan plan) {
        synchronized (plan) {
            return plan.resetMidRead;
        }
    }

    private ObjectStoreException.Transient transient_(StoreOp op, String key, Plan plan, String what) {
        injected.incrementAndGet();
        boolean throttled;
        synchronized (plan) {
            throttled = plan.throttled;
        }
        return new ObjectStoreException.Transient(describe() + ": " + op + " " + key + ": " + what
                + (throttled ? " (503 SlowDown)" : " (500 InternalError)"), throttled, null);
    }
}
