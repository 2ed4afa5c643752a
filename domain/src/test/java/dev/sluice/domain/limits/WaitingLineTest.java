package dev.sluice.domain.limits;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sluice.domain.limits.PriorityClass.HIGH;
import static dev.sluice.domain.limits.PriorityClass.LOW;
import static dev.sluice.domain.limits.PriorityClass.NORMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The waiting requests of one model: first come, first served within a class; between classes,
 * turns in the proportion 6 : 3 : 1, so high goes first most of the time and low is never starved.
 */
class WaitingLineTest {
    private final WaitingLine<String> line = new WaitingLine<>();

    @Test
    void givenWaitersOfOneClass_thenTheyAreServedInArrivalOrder() {
        line.add(NORMAL, "first");
        line.add(NORMAL, "second");
        line.add(NORMAL, "third");

        assertEquals(List.of("first", "second", "third"), serveAll());
    }

    @Test
    void givenAWaiterNotServed_whenAskedAgain_thenTheSameHeadIsOffered() {
        line.add(NORMAL, "first");
        line.add(NORMAL, "second");

        assertEquals("first", line.nextTurn());
        assertEquals("first", line.nextTurn(), "the head keeps its place until it leaves");
        assertEquals(2, line.size());
    }

    @Test
    void givenEveryClassAlwaysWaiting_whenServingMany_thenTurnsAreSixThreeOneInEveryTen() {
        Map<PriorityClass, Integer> arrivals = new EnumMap<>(PriorityClass.class);
        for (PriorityClass c : PriorityClass.values()) {
            arrivals.put(c, 0);
            arrive(c, arrivals);
        }
        List<PriorityClass> served = new ArrayList<>();
        for (int turn = 0; turn < 1_000; turn++) {
            String next = serveOne();
            PriorityClass c = classOf(next);
            served.add(c);
            arrive(c, arrivals);
        }

        for (int from = 0; from < served.size(); from += 10) {
            List<PriorityClass> ten = served.subList(from, from + 10);
            assertEquals(6, count(ten, HIGH), "turns " + from + "..: " + ten);
            assertEquals(3, count(ten, NORMAL), "turns " + from + "..: " + ten);
            assertEquals(1, count(ten, LOW), "turns " + from + "..: " + ten);
        }
    }

    @Test
    void givenHigherClassesAlwaysWaiting_whenALowWaiterArrivesAtAnyMoment_thenItIsServedWithinTenTurns() {
        assertLowServedWithinTenTurns(new Random(7), false);
    }

    @Test
    void givenHigherClassesComingAndGoing_whenALowWaiterArrivesAtAnyMoment_thenItIsServedWithinTenTurns() {
        for (long seed = 1; seed <= 20; seed++) {
            assertLowServedWithinTenTurns(new Random(seed), true);
        }
    }

    /** High and normal keep one waiter each (refilled when served, or, with churn, only now and then); low comes and goes. */
    private void assertLowServedWithinTenTurns(Random random, boolean churn) {
        Map<PriorityClass, Integer> arrivals = new EnumMap<>(PriorityClass.class);
        for (int round = 0; round < 300; round++) {
            for (int idle = random.nextInt(25); idle > 0; idle--) {
                turn(random, churn, arrivals, null);
            }
            arrive(LOW, arrivals);
            String low = line.head(LOW);
            int turns = 1;
            while (!turn(random, churn, arrivals, low)) {
                turns++;
            }
            assertTrue(turns <= 10, "round " + round + ": the low waiter was served after " + turns + " turns");
        }
    }

    /** One turn; true when it went to {@code awaited}. */
    private boolean turn(Random random, boolean churn, Map<PriorityClass, Integer> arrivals, String awaited) {
        for (PriorityClass c : List.of(HIGH, NORMAL)) {
            if (line.head(c) == null && (!churn || random.nextBoolean())) {
                arrive(c, arrivals);
            }
        }
        if (line.isEmpty()) {
            return false;
        }
        return serveOne().equals(awaited);
    }

    @Test
    void givenOnlyOneClassWaiting_thenItGetsEveryTurn() {
        line.add(LOW, "l1");
        line.add(LOW, "l2");

        assertEquals(List.of("l1", "l2"), serveAll());
    }

    @Test
    void givenAWaiterInTheMiddle_whenRemoved_thenTheOthersKeepTheirOrder() {
        line.add(NORMAL, "first");
        line.add(NORMAL, "gone");
        line.add(NORMAL, "third");

        assertTrue(line.remove("gone"));
        assertFalse(line.remove("gone"));
        assertFalse(line.remove("never there"));

        assertEquals(2, line.size());
        assertEquals(List.of("first", "third"), serveAll());
    }

    @Test
    void givenAnEmptyLine_thenThereIsNoTurnAndNoHead() {
        assertNull(line.nextTurn());
        assertNull(line.head(HIGH));
        assertTrue(line.isEmpty());
        line.add(HIGH, "h");
        assertFalse(line.isEmpty());
        assertEquals("h", line.head(HIGH));
    }

    @Test
    void givenWaitersOverClasses_whenRemovingTheFirstMatching_thenItIsTakenOutAndCounted() {
        line.add(NORMAL, "n-ok");
        line.add(LOW, "l-expired");
        line.add(NORMAL, "n-expired");

        assertEquals("n-expired", line.removeFirstMatching(w -> w.endsWith("expired")));
        assertNull(line.removeFirstMatching(w -> w.startsWith("h")));
        assertEquals(2, line.size());
    }

    private void arrive(PriorityClass c, Map<PriorityClass, Integer> arrivals) {
        int n = arrivals.merge(c, 1, Integer::sum);
        line.add(c, c.name() + "-" + n);
    }

    private String serveOne() {
        String next = line.nextTurn();
        assertTrue(line.remove(next));
        return next;
    }

    private List<String> serveAll() {
        List<String> served = new ArrayList<>();
        while (!line.isEmpty()) {
            served.add(serveOne());
        }
        return served;
    }

    private static PriorityClass classOf(String waiter) {
        return PriorityClass.valueOf(waiter.substring(0, waiter.indexOf('-')));
    }

    private static long count(List<PriorityClass> classes, PriorityClass c) {
        return classes.stream().filter(c::equals).count();
    }
}
