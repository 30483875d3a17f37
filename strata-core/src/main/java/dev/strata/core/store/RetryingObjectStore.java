package dev.strata.core.store;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Repeats calls that failed with {@link ObjectStoreException.Transient}, which the port's
 * idempotence clause makes safe, and nothing else: {@code NotFound}, {@code PreconditionFailed}
 * and {@code Permanent} answer the same way the next time.
 *
 * <p><b>Bounds.</b> At most {@link Policy#maxAttempts} attempts and {@link Policy#deadline} of
 * total time per call, whichever ends first; then the last error is thrown as it was. Between
 * attempts it sleeps with exponential backoff and full jitter (a uniform wait in [0, min(cap,
 * base·2^retry)]), which spreads clients that failed together; when the store said it is
 * throttled the ceiling is multiplied by {@link Policy#throttledFactor}, because an overloaded
 * store recovers only if clients back off harder than for a dropped connection. A sleep that
 * would cross the deadline is not taken.
 *
 * <p><b>Lost successes.</b> A Transient error may hide a call that took effect. That is harmless for
 * every call but {@code completeUpload}: S3 forgets an upload once completed, so repeating it
 * answers NoSuchUpload although the object is there. So when a repeated complete gets
 * {@code NotFound} after an earlier attempt of this call failed transiently, this class heads the
 * key and accepts the object if its size is the parts' total. Same size is not proof that it is our
 * object, but Strata writes each key from one mover at a time and verifies whole-object checksums
 * later; a {@code NotFound} on the first attempt is passed on unchanged. A repeated
 * {@code startUpload} whose first reply was lost leaves an orphan upload, which bucket lifecycle
 * rules (S3 AbortIncompleteMultipartUpload) reclaim.
 *
 * <p>Buffers: a failed attempt may have advanced a read's destination; it is put back before the
 * next attempt, so a caller sees exactly the bytes of the attempt that succeeded.
 *
 * <p>Metrics: {@link #attempts()}, {@link #retries()}, {@link #giveUps()}; thread-safe counters.
 */
public final class RetryingObjectStore extends ForwardingObjectStore {

    /**
     * @param maxAttempts attempts per call including the first, at least 1
     * @param baseDelay ceiling of the first backoff
     * @param maxDelay cap of any backoff ceiling (before the throttled factor)
     * @param throttledFactor how much higher the ceiling is after a throttling error
     * @param deadline total time one call may take, attempts and sleeps together
     */
    public record Policy(int maxAttempts, Duration baseDelay, Duration maxDelay, int throttledFactor, Duration deadline) {
        public static final Policy DEFAULT =
                new Policy(10, Duration.ofMillis(50), Duration.ofSeconds(5), 4, Duration.ofSeconds(120));

        public Policy {
            if (maxAttempts < 1 || throttledFactor < 1 || baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0
                    || deadline.isNegative()) {
                throw new IllegalArgumentException("bad retry policy: " + maxAttempts + " attempts, base " + baseDelay
                        + ", cap " + maxDelay + ", throttled x" + throttledFactor + ", deadline " + deadline);
            }
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws ObjectStoreException;
    }

    private final Policy policy;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong giveUps = new AtomicLong();

    public RetryingObjectStore(ObjectStore delegate, Policy policy, Sleeper sleeper, RandomGenerator random) {
        super(delegate);
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    /** Calls made to the delegate. */
    public long attempts() {
        return attempts.get();
    }

    /** Calls repeated after a transient failure. */
    public long retries() {
        return retries.get();
    }

    /** Calls that failed transiently until a bound ran out. */
    public long giveUps() {
        return giveUps.get();
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws ObjectStoreException {
        return retry(() -> super.head(key));
    }

    @Override
    public int read(String key, long offset, ByteBuffer dst, String ifMatch) throws ObjectStoreException {
        int start = dst.position();
        return retry(() -> {
            dst.position(start);
            return super.read(key, offset, dst, ifMatch);
        });
    }

    @Override
    public ObjectInfo put(String key, ByteBuffer content, int crc32c, Map<String, String> metadata)
            throws ObjectStoreException {
        return retry(() -> super.put(key, content.duplicate(), crc32c, metadata));
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata) throws ObjectStoreException {
        return retry(() -> super.startUpload(key, metadata));
    }

    @Override
    public Part uploadPart(Upload upload, int partNumber, ByteBuffer content, int crc32c) throws ObjectStoreException {
        return retry(() -> super.uploadPart(upload, partNumber, content.duplicate(), crc32c));
    }

    @Override
    public ObjectInfo completeUpload(Upload upload, List<Part> parts) throws ObjectStoreException {
        boolean[] failedTransiently = {false};
        return retry(() -> {
            try {
                return super.completeUpload(upload, parts);
            } catch (ObjectStoreException.Transient e) {
                failedTransiently[0] = true;
                throw e;
            } catch (ObjectStoreException.NotFound e) {
                if (!failedTransiently[0]) {
                    throw e;
                }
                long total = parts.stream().mapToLong(Part::sizeBytes).sum();
                Optional<ObjectInfo> there = super.head(upload.key());
                if (there.isPresent() && there.get().sizeBytes() == total) {
                    return there.get();
                }
                throw e;
            }
        });
    }

    @Override
    public void abortUpload(Upload upload) throws ObjectStoreException {
        retry(() -> {
            super.abortUpload(upload);
            return null;
        });
    }

    @Override
    public void delete(String key) throws ObjectStoreException {
        retry(() -> {
            super.delete(key);
            return null;
        });
    }

    @Override
    public ListPage list(String prefix, boolean delimited, String continuation, int maxKeys) throws ObjectStoreException {
        return retry(() -> super.list(prefix, delimited, continuation, maxKeys));
    }

    @Override
    public ObjectInfo copy(String from, String to, Map<String, String> metadata) throws ObjectStoreException {
        return retry(() -> super.copy(from, to, metadata));
    }

    @Override
    public ObjectInfo setMetadata(String key, Map<String, String> metadata) throws ObjectStoreException {
        return retry(() -> super.setMetadata(key, metadata));
    }

    private <T> T retry(Call<T> call) throws ObjectStoreException {
        long deadline = sleeper.nanoTime() + policy.deadline().toNanos();
        for (int attempt = 1; ; attempt++) {
            attempts.incrementAndGet();
            try {
                return call.run();
            } catch (ObjectStoreException.Transient e) {
                if (attempt >= policy.maxAttempts()) {
                    giveUps.incrementAndGet();
                    throw e;
                }
                long pause = backoffNanos(attempt, e.throttled());
                if (sleeper.nanoTime() + pause >= deadline) {
                    giveUps.incrementAndGet();
                    throw e;
                }
                try {
                    sleeper.sleepNanos(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    giveUps.incrementAndGet();
                    throw e;
                }
                retries.incrementAndGet();
            }
        }
    }

    /** Full jitter: uniform in [0, ceiling], the ceiling doubling per retry up to the cap. */
    private long backoffNanos(int attempt, boolean throttled) {
        long cap = policy.maxDelay().toNanos();
        long ceiling = policy.baseDelay().toNanos();
        for (int i = 1; i < attempt && ceiling < cap; i++) {
            ceiling = Math.min(cap, ceiling * 2);
        }
        if (throttled) {
            int factor = policy.throttledFactor();
            ceiling = ceiling > Long.MAX_VALUE / factor ? Long.MAX_VALUE : ceiling * factor;
        }
        return ceiling <= 0 ? 0 : random.nextLong(ceiling);
    }
}
