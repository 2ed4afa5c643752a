package dev.sluice.application.queue;

import dev.sluice.application.proxy.FakeDelayScheduler;
import dev.sluice.application.proxy.ManualClock;
import dev.sluice.application.queue.AdmissionQueue.LineStats;
import dev.sluice.application.queue.AdmissionQueue.Outcome;
import dev.sluice.domain.limits.PriorityClass;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue of requests that wait for capacity: bounded, one waiter woken at a time (the head
 * whose turn it is), the next one woken when it leaves, a timer for the moment a window slides,
 * and no wake-up lost while a woken waiter is still checking. Time is the test's own.
 */
class AdmissionQueueTest {
    private static final String MODEL = "gpt-4o";

    private final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T12:00:00Z"));
    private final FakeDelayScheduler scheduler = new FakeDelayScheduler(clock);
    private final List<String> wakes = new ArrayList<>();
    private AdmissionQueue queue = new AdmissionQueue(10, scheduler, clock);

    // --- bounded ---

    @Test
    void givenAFullQueue_whenOneMoreArrives_thenItIsRefusedAndCounted() {
        queue = new AdmissionQueue(2, scheduler, clock);

        assertTrue(queue.enqueue(MODEL, waiter("first")));
        assertTrue(queue.enqueue("other-model", waiter("second")));
        assertFalse(queue.enqueue(MODEL, waiter("third")), "the bound is over all models");

        assertEquals(2, queue.size());
        assertEquals(1, stats(MODEL).rejectedFull());
        assertEquals(1, stats(MODEL).waiting());
    }

    @Test
    void givenAFullQueue_whenAWaiterLeaves_thenThereIsRoomAgain() {
        queue = new AdmissionQueue(1, scheduler, clock);
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);

        queue.leave(MODEL, first, Outcome.GONE);

        assertTrue(queue.enqueue(MODEL, waiter("second")));
    }

    @Test
    void givenAQueueOfSizeZero_thenNothingWaits() {
        queue = new AdmissionQueue(0, scheduler, clock);

        assertFalse(queue.enqueue(MODEL, waiter("first")));
        assertFalse(queue.hasWaiters(MODEL));
    }

    // --- one woken at a time ---

    @Test
    void givenSeveralWaiters_whenCapacityFreesRepeatedly_thenOnlyTheHeadIsWokenAndOnlyOnce() {
        enqueue("first", "second", "third");

        queue.wake(MODEL);
        queue.wake(MODEL);
        queue.wakeAll();

        assertEquals(List.of("first"), wakes, "the woken head is still checking; the others wait their turn");
    }

    @Test
    void givenTheWokenHeadIsAdmitted_whenItLeaves_thenTheNextIsWoken() {
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);
        enqueue("second", "third");
        queue.wake(MODEL);

        assertTrue(queue.leave(MODEL, first, Outcome.ADMITTED));

        assertEquals(List.of("first", "second"), wakes);
        assertEquals(2, queue.size());
        assertEquals(1, stats(MODEL).admitted());
    }

    @Test
    void givenWaitersOfSeveralClasses_whenWoken_thenHighGoesFirst() {
        enqueue("normal");
        queue.enqueue(MODEL, waiter("high", PriorityClass.HIGH));

        queue.wake(MODEL);

        assertEquals(List.of("high"), wakes);
    }

    @Test
    void givenWaitersForTwoModels_whenOneModelIsWoken_thenTheOtherKeepsWaiting() {
        queue.enqueue("a", waiter("waits-for-a"));
        queue.enqueue("b", waiter("waits-for-b"));

        queue.wake("a");
        assertEquals(List.of("waits-for-a"), wakes);

        queue.wakeAll();
        assertEquals(List.of("waits-for-a", "waits-for-b"), wakes, "a is still checking; b gets its turn");
    }

    @Test
    void givenNoWaiters_whenWoken_thenNothingHappens() {
        queue.wake(MODEL);
        queue.wakeAll();

        assertTrue(wakes.isEmpty());
        assertFalse(queue.hasWaiters(MODEL));
    }

    // --- still waiting: the timer ---

    @Test
    void givenTheWokenHeadStillBlocked_whenItSaysUntilWhen_thenItIsWokenAgainExactlyThen() {
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);
        queue.wake(MODEL);

        queue.stillWaiting(MODEL, first, clock.millis() + 5_000);

        assertEquals(List.of(Duration.ofSeconds(5)), scheduler.delays());
        scheduler.advance(Duration.ofMillis(4_999));
        assertEquals(List.of("first"), wakes);
        scheduler.advance(Duration.ofMillis(1));
        assertEquals(List.of("first", "first"), wakes);
    }

    @Test
    void givenAWaiterBlockedByConcurrencyOnly_thenNoTimerIsSet() {
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);
        queue.wake(MODEL);

        queue.stillWaiting(MODEL, first, Long.MAX_VALUE);

        assertEquals(0, scheduler.pending(), "only a finishing request frees a concurrency slot");
        queue.wake(MODEL);
        assertEquals(List.of("first", "first"), wakes, "a settling request wakes it");
    }

    @Test
    void givenATimerSet_whenAnEarlierRetryTimeComes_thenTheTimerIsMovedForward() {
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);
        queue.wake(MODEL);
        queue.stillWaiting(MODEL, first, clock.millis() + 10_000);
        queue.wake(MODEL);

        queue.stillWaiting(MODEL, first, clock.millis() + 3_000);

        assertEquals(1, scheduler.pending(), "the later timer was cancelled");
        scheduler.advance(Duration.ofSeconds(3));
        assertEquals(List.of("first", "first", "first"), wakes);
    }

    @Test
    void givenATimerSet_whenALaterRetryTimeComes_thenTheEarlierTimerStays() {
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);
        queue.wake(MODEL);
        queue.stillWaiting(MODEL, first, clock.millis() + 3_000);
        queue.wake(MODEL);

        queue.stillWaiting(MODEL, first, clock.millis() + 10_000);

        assertEquals(List.of(Duration.ofSeconds(3)), scheduler.delays());
    }

    // --- no lost wake-ups ---

    @Test
    void givenCapacityFreedWhileTheWokenHeadWasChecking_whenItFindsItselfBlocked_thenItIsWokenAgainAtOnce() {
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);
        enqueue("second");
        queue.wake(MODEL);

        queue.wake(MODEL); // a request settles while "first" is still checking the limits
        queue.stillWaiting(MODEL, first, Long.MAX_VALUE);

        assertEquals(List.of("first", "first"), wakes, "the settlement is not lost");
    }

    @Test
    void givenNothingFreedWhileTheWokenHeadWasChecking_whenItFindsItselfBlocked_thenItIsNotWokenAgain() {
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);
        queue.wake(MODEL);

        queue.stillWaiting(MODEL, first, Long.MAX_VALUE);

        assertEquals(List.of("first"), wakes);
    }

    @Test
    void givenTheTimerFiresWhileTheWokenHeadIsChecking_thenTheWakeUpIsKeptForIt() {
        Waiter first = waiter("first");
        Waiter second = waiter("second");
        queue.enqueue(MODEL, first);
        queue.enqueue(MODEL, second);
        queue.wake(MODEL);
        queue.stillWaiting(MODEL, first, clock.millis() + 1_000);
        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(List.of("first", "first"), wakes);

        queue.leave(MODEL, first, Outcome.ADMITTED);

        assertEquals(List.of("first", "first", "second"), wakes);
    }

    // --- leaving ---

    @Test
    void givenAWaiterThatWasNotWoken_whenItsClientGoes_thenItLeavesAndNothingIsCounted() {
        enqueue("first");
        Waiter gone = waiter("gone");
        queue.enqueue(MODEL, gone);

        assertTrue(queue.leave(MODEL, gone, Outcome.GONE));
        assertFalse(queue.leave(MODEL, gone, Outcome.GONE), "leaving twice changes nothing");

        assertEquals(1, queue.size());
        LineStats stats = stats(MODEL);
        assertEquals(1, stats.waiting());
        assertEquals(0, stats.admitted() + stats.timedOut());
    }

    @Test
    void givenTheWokenHead_whenItsClientGoes_thenTheNextIsWoken() {
        Waiter first = waiter("first");
        queue.enqueue(MODEL, first);
        enqueue("second");
        queue.wake(MODEL);

        queue.leave(MODEL, first, Outcome.GONE);

        assertEquals(List.of("first", "second"), wakes);
    }

    @Test
    void givenTheHeadBlockedByItsSize_whenItLeaves_thenTheNextIsWokenToTryAtOnce() {
        Waiter big = waiter("big");
        queue.enqueue(MODEL, big);
        enqueue("small");
        queue.wake(MODEL);
        queue.stillWaiting(MODEL, big, clock.millis() + 60_000);

        queue.leave(MODEL, big, Outcome.TIMED_OUT);

        assertEquals(List.of("big", "small"), wakes, "what blocked the head need not block the next one");
    }

    @Test
    void givenWaitersTimingOut_thenTheyAreCountedAsTimedOut() {
        Waiter first = waiter("first");
        Waiter second = waiter("second");
        queue.enqueue(MODEL, first);
        queue.enqueue(MODEL, second);

        queue.leave(MODEL, first, Outcome.TIMED_OUT);
        queue.leave(MODEL, second, Outcome.TIMED_OUT);

        assertEquals(new LineStats(MODEL, 0, 0, 0, 2, 0), stats(MODEL));
        assertEquals(0, queue.size());
    }

    @Test
    void givenAModelNeverQueuedFor_whenLeaving_thenNothingHappens() {
        assertFalse(queue.leave("unknown", waiter("x"), Outcome.GONE));
        queue.stillWaiting("unknown", waiter("x"), clock.millis() + 1_000);

        assertEquals(0, scheduler.pending());
    }

    // --- stats ---

    @Test
    void givenWaiters_whenAskingForStats_thenTheOldestWaitIsShownPerModelInNameOrder() {
        queue.enqueue("b-model", waiter("recent", PriorityClass.NORMAL, System.nanoTime()));
        queue.enqueue("a-model", waiter("old", PriorityClass.LOW, System.nanoTime() - Duration.ofSeconds(5).toNanos()));
        queue.enqueue("a-model", waiter("older", PriorityClass.HIGH, System.nanoTime() - Duration.ofSeconds(8).toNanos()));

        List<LineStats> stats = queue.stats();

        assertEquals(List.of("a-model", "b-model"), stats.stream().map(LineStats::model).toList());
        assertEquals(2, stats.get(0).waiting());
        long oldest = stats.get(0).oldestWaitMillis();
        assertTrue(oldest >= 8_000 && oldest < 9_000, "oldest wait " + oldest + " ms");
        assertTrue(stats.get(1).oldestWaitMillis() < 1_000);
    }

    private void enqueue(String... names) {
        for (String name : names) {
            assertTrue(queue.enqueue(MODEL, waiter(name)));
        }
    }

    private LineStats stats(String model) {
        return queue.stats().stream().filter(s -> s.model().equals(model)).findFirst().orElseThrow();
    }

    private Waiter waiter(String name) {
        return waiter(name, PriorityClass.NORMAL);
    }

    private Waiter waiter(String name, PriorityClass priority) {
        return waiter(name, priority, System.nanoTime());
    }

    private Waiter waiter(String name, PriorityClass priority, long enqueuedAtNanos) {
        return new Waiter(name, priority, enqueuedAtNanos);
    }

    /** A waiting request that only notes when it is woken (a real one retries on its event loop). */
    private final class Waiter implements AdmissionQueue.Waiter {
        private final String name;
        private final PriorityClass priority;
        private final long enqueuedAtNanos;

        Waiter(String name, PriorityClass priority, long enqueuedAtNanos) {
            this.name = name;
            this.priority = priority;
            this.enqueuedAtNanos = enqueuedAtNanos;
        }

        @Override
        public PriorityClass priority() {
            return priority;
        }

        @Override
        public long enqueuedAtNanos() {
            return enqueuedAtNanos;
        }

        @Override
        public void wake() {
            wakes.add(name);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
