package dev.sluice.domain.limits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.sluice.domain.limits.LimitsTestData.MINUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exact sliding window: no window of its length, wherever it starts, ever holds more than the
 * limit; it is also never stricter than that (whatever fits by a plain recount is admitted).
 * Time is plain millis chosen by the test.
 */
class SlidingWindowTest {
    private static final long SECOND = 1_000L;

    // --- never more than the limit, never less ---

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 42L, 20250301L})
    void givenRandomAdmissionsAndRefunds_thenNoWindowAnywhereHoldsMoreThanTheLimitAndWhateverFitsIsAdmitted(long seed) {
        Random random = new Random(seed);
        long windowMillis = 1_000;
        long limit = 10;
        SlidingWindow window = new SlidingWindow(windowMillis, limit);
        List<Admitted> admitted = new ArrayList<>();
        long now = 0;
        for (int step = 0; step < 3_000; step++) {
            now += random.nextInt(120);
            long amount = 1 + random.nextInt(4);
            boolean expected = recount(admitted, now, windowMillis) + amount <= limit;
            assertEquals(expected, window.fits(now, amount), "fits at " + now + " for " + amount);
            if (expected) {
                admitted.add(new Admitted(now, amount, window.add(now, amount)));
            }
            if (random.nextInt(4) == 0 && !admitted.isEmpty()) {
                // a reservation corrected downwards while it is still inside the window
                Admitted last = admitted.getLast();
                if (last.at > now - windowMillis) {
                    last.amount = random.nextInt((int) last.amount + 1);
                    window.settle(last.entry, last.amount, now);
                }
            }
            assertEquals(recount(admitted, now, windowMillis), window.used(now), "used at " + now);
        }
        for (Admitted a : admitted) {
            long inWindowEndingThere = recount(admitted, a.at, windowMillis);
            assertTrue(inWindowEndingThere <= limit, "window ending at " + a.at + " holds " + inWindowEndingThere);
        }
    }

    @Test
    void givenTheLimitFilledAtTheEndOfAMinute_whenTheNextMinuteBegins_thenNothingMoreFitsUntilTheFirstEntryLeaves() {
        SlidingWindow window = new SlidingWindow(MINUTE, 10);
        window.add(59 * SECOND, 10);

        assertFalse(window.fits(60 * SECOND, 1), "a fixed window would allow 10 more here: 20 within two seconds");
        assertFalse(window.fits(90 * SECOND, 1));
        assertFalse(window.fits(119 * SECOND - 1, 1));
        assertEquals(119 * SECOND, window.availableAt(60 * SECOND, 1));
        assertTrue(window.fits(119 * SECOND, 10));
    }

    // --- availableAt ---

    @Test
    void givenSeveralEntries_whenAskingWhenAnAmountFits_thenItIsWhenJustEnoughOfTheOldestHaveLeft() {
        SlidingWindow window = new SlidingWindow(MINUTE, 10);
        window.add(0, 3);
        window.add(10 * SECOND, 4);
        window.add(20 * SECOND, 3);
        long now = 25 * SECOND;

        assertEquals(MINUTE, window.availableAt(now, 1), "the first entry (3) is enough");
        assertEquals(MINUTE, window.availableAt(now, 3));
        assertEquals(10 * SECOND + MINUTE, window.availableAt(now, 4), "3 + 4 must leave");
        assertEquals(20 * SECOND + MINUTE, window.availableAt(now, 8));
        assertEquals(20 * SECOND + MINUTE, window.availableAt(now, 10), "all must leave");
        assertEquals(Long.MAX_VALUE, window.availableAt(now, 11));
    }

    @Test
    void givenRoom_whenAskingWhenAnAmountFits_thenItIsNow() {
        SlidingWindow window = new SlidingWindow(MINUTE, 10);
        window.add(0, 6);

        assertEquals(5 * SECOND, window.availableAt(5 * SECOND, 4));
    }

    @Test
    void givenTheTimeAvailableAtNames_whenItComes_thenTheAmountFitsAndOneMilliEarlierItDoesNot() {
        SlidingWindow window = new SlidingWindow(MINUTE, 10);
        window.add(1_234, 7);
        window.add(5_678, 3);
        long at = window.availableAt(10 * SECOND, 5);

        assertEquals(1_234 + MINUTE, at);
        assertFalse(window.fits(at - 1, 5));
        assertTrue(window.fits(at, 5));
    }

    // --- settle ---

    @Test
    void givenAReservationInsideTheWindow_whenSettledLower_thenTheDifferenceIsFreeAtOnce() {
        SlidingWindow window = new SlidingWindow(MINUTE, 1000);
        SlidingWindow.Entry entry = window.add(0, 1000);
        assertFalse(window.fits(SECOND, 700));

        window.settle(entry, 300, 2 * SECOND);

        assertEquals(300, window.used(2 * SECOND));
        assertTrue(window.fits(2 * SECOND, 700));
        assertFalse(window.fits(2 * SECOND, 701));
    }

    @Test
    void givenAReservationInsideTheWindow_whenSettledHigher_thenTheDifferenceIsChargedUntilTheEntryLeaves() {
        SlidingWindow window = new SlidingWindow(MINUTE, 1000);
        SlidingWindow.Entry entry = window.add(0, 100);

        window.settle(entry, 1200, SECOND);

        assertEquals(1200, window.used(SECOND), "the real usage counts, even beyond the limit");
        assertFalse(window.fits(SECOND, 1));
        assertEquals(MINUTE, window.availableAt(SECOND, 1));
        assertEquals(0, window.used(MINUTE));
        assertTrue(window.fits(MINUTE, 1000));
    }

    @Test
    void givenAnEntryThatLeftTheWindow_whenSettled_thenNothingChanges() {
        SlidingWindow window = new SlidingWindow(MINUTE, 1000);
        SlidingWindow.Entry old = window.add(0, 800);
        window.add(30 * SECOND, 200);

        window.settle(old, 5000, MINUTE + SECOND);

        assertEquals(200, window.used(MINUTE + SECOND), "a late settlement is not charged again");
        assertTrue(window.fits(MINUTE + SECOND, 800));
    }

    @Test
    void givenAnEntry_whenSettledBelowZero_thenItCountsAsZero() {
        SlidingWindow window = new SlidingWindow(MINUTE, 10);
        SlidingWindow.Entry entry = window.add(0, 4);

        window.settle(entry, -5, SECOND);

        assertEquals(0, window.used(SECOND));
    }

    // --- what never fits ---

    @Test
    void givenAnAmountAboveTheLimit_thenItNeverFitsEvenInAnEmptyWindow() {
        SlidingWindow window = new SlidingWindow(MINUTE, 10);

        assertFalse(window.canEverFit(11));
        assertFalse(window.fits(0, 11));
        assertEquals(Long.MAX_VALUE, window.availableAt(0, 11));
        assertTrue(window.canEverFit(10));
        assertTrue(window.fits(0, 10));
    }

    @Test
    void givenANonPositiveWindowOrLimit_thenItIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindow(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindow(MINUTE, 0));
    }

    /** The plain sum of what was admitted in (now - window, now]; entries are in time order. */
    private static long recount(List<Admitted> admitted, long now, long windowMillis) {
        long sum = 0;
        for (int i = admitted.size() - 1; i >= 0 && admitted.get(i).at > now - windowMillis; i--) {
            if (admitted.get(i).at <= now) {
                sum += admitted.get(i).amount;
            }
        }
        return sum;
    }

    private static final class Admitted {
        final long at;
        long amount;
        final SlidingWindow.Entry entry;

        Admitted(long at, long amount, SlidingWindow.Entry entry) {
            this.at = at;
            this.amount = amount;
            this.entry = entry;
        }
    }
}
