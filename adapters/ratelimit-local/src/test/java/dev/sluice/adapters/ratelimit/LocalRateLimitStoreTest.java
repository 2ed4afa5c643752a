package dev.sluice.adapters.ratelimit;

import dev.sluice.domain.limits.Admission;
import dev.sluice.domain.limits.Limiter;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.Permit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-process rate-limit store: one state per scope, a fresh state when a scope's limits
 * change (permits of the old one still settle there), and exact under concurrent admission.
 */
class LocalRateLimitStoreTest {
    private static final String BACKEND_A = "backend:a";
    private static final String BACKEND_B = "backend:b";
    private static final long NOW = 1_000_000L;

    private final LocalRateLimitStore store = new LocalRateLimitStore();

    @Test
    void givenOneScopeAtItsLimit_thenAnotherScopeWithTheSameLimitsIsNotAffected() {
        Limits oneAMinute = rpm(1);
        admit(BACKEND_A, oneAMinute, NOW);

        assertInstanceOf(Admission.Wait.class, store.tryAdmit(BACKEND_A, oneAMinute, NOW, 1));
        admit(BACKEND_B, oneAMinute, NOW);
        assertEquals(1, store.usage(BACKEND_A, oneAMinute, NOW).requestsLastMinute());
        assertEquals(1, store.usage(BACKEND_B, oneAMinute, NOW).requestsLastMinute());
    }

    @Test
    void givenAScopesLimitsChange_thenItStartsAfreshUnderTheNewLimits() {
        admit(BACKEND_A, rpm(1), NOW);

        admit(BACKEND_A, rpm(2), NOW);
        admit(BACKEND_A, rpm(2), NOW);

        assertInstanceOf(Admission.Wait.class, store.tryAdmit(BACKEND_A, rpm(2), NOW, 1));
        assertEquals(2, store.usage(BACKEND_A, rpm(2), NOW).requestsLastMinute());
    }

    @Test
    void givenAPermitOfTheOldLimits_whenSettledAfterTheChange_thenItFreesNothingInTheNewState() {
        Limits before = concurrent(1, 100);
        Limits after = concurrent(1, 200);
        Permit old = admit(BACKEND_A, before, NOW);
        admit(BACKEND_A, after, NOW);

        store.settle(BACKEND_A, old, 50, NOW);

        assertTrue(((Limiter.LocalPermit) old).ended(), "settled against the limiter that admitted it");
        assertEquals(0, ((Limiter.LocalPermit) old).owner().usage(NOW).inFlight());
        assertInstanceOf(Admission.Wait.class, store.tryAdmit(BACKEND_A, after, NOW, 1),
                "the new state's only slot is still taken");
        assertEquals(1, store.usage(BACKEND_A, after, NOW).inFlight());
    }

    @Test
    void givenAPermitNotFromThisStore_whenSettled_thenNothingHappens() {
        Limits limits = concurrent(1, 100);
        admit(BACKEND_A, limits, NOW);

        store.settle(BACKEND_A, () -> 10, 10, NOW);

        assertEquals(1, store.usage(BACKEND_A, limits, NOW).inFlight());
    }

    @Test
    void givenNoLimits_thenEveryRequestWouldBeAdmitted() {
        assertTrue(store.wouldAdmit(BACKEND_A, Limits.NONE, NOW, 1_000_000));
    }

    @Test
    void givenShorterWindows_thenTheLimitsSlideOverThem() {
        LocalRateLimitStore compressed = new LocalRateLimitStore(100, 1_000);
        Limits oneAMinute = rpm(1);
        assertInstanceOf(Admission.Admitted.class, compressed.tryAdmit(BACKEND_A, oneAMinute, 0, 1));

        assertEquals(new Admission.Wait(100, "rpm"), compressed.tryAdmit(BACKEND_A, oneAMinute, 50, 1));
        assertFalse(compressed.wouldAdmit(BACKEND_A, oneAMinute, 99, 1));
        assertTrue(compressed.wouldAdmit(BACKEND_A, oneAMinute, 100, 1));
    }

    @Test
    void givenEightThreadsAdmittingAtOnce_thenNoMoreThanTheRequestsPerMinuteAreAdmitted() throws Exception {
        Limits limits = rpm(100);
        AtomicInteger admitted = new AtomicInteger();
        runOnEightThreads(thread -> {
            for (int i = 0; i < 500; i++) {
                if (store.tryAdmit(BACKEND_A, limits, NOW + i, 1) instanceof Admission.Admitted) {
                    admitted.incrementAndGet();
                }
            }
        });

        assertEquals(100, admitted.get());
        assertEquals(100, store.usage(BACKEND_A, limits, NOW + 500).requestsLastMinute());
    }

    @Test
    void givenEightThreadsAdmittingAndSettling_thenNeverMoreAreInFlightThanAllowed() throws Exception {
        Limits limits = concurrent(3, 1_000_000);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        runOnEightThreads(thread -> {
            for (int i = 0; i < 2_000; i++) {
                if (store.tryAdmit(BACKEND_A, limits, NOW, 1) instanceof Admission.Admitted a) {
                    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    served.incrementAndGet();
                    inFlight.decrementAndGet();
                    store.settle(BACKEND_A, a.permit(), 1, NOW);
                }
            }
        });

        assertTrue(mostInFlight.get() <= 3, "at most 3 in flight, saw " + mostInFlight.get());
        assertTrue(served.get() > 0);
        assertEquals(0, store.usage(BACKEND_A, limits, NOW).inFlight());
    }

    private Permit admit(String scope, Limits limits, long now) {
        return assertInstanceOf(Admission.Admitted.class, store.tryAdmit(scope, limits, now, 1)).permit();
    }

    private static Limits rpm(int requests) {
        return new Limits(OptionalInt.of(requests), OptionalLong.empty(), OptionalInt.empty(), OptionalLong.empty(),
                OptionalInt.empty());
    }

    private static Limits concurrent(int requests, long tokensPerMinute) {
        return new Limits(OptionalInt.empty(), OptionalLong.of(tokensPerMinute), OptionalInt.empty(), OptionalLong.empty(),
                OptionalInt.of(requests));
    }

    private interface Work {
        void run(int thread);
    }

    /** Runs the work on eight threads released together, and fails if any of them failed. */
    private static void runOnEightThreads(Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    work.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
