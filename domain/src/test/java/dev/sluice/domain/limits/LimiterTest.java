package dev.sluice.domain.limits;

import org.junit.jupiter.api.Test;

import static dev.sluice.domain.limits.LimitsTestData.DAY;
import static dev.sluice.domain.limits.LimitsTestData.MINUTE;
import static dev.sluice.domain.limits.LimitsTestData.limits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One set of limits: a request takes a slot in all of them or in none, waits for the latest one
 * that blocks it, is refused outright when it can never fit, and is settled to its real usage.
 */
class LimiterTest {
    private static final long SECOND = 1_000L;

    // --- all or nothing ---

    @Test
    void givenTokensBlockedButRequestsFree_whenRefused_thenNoRequestSlotIsTaken() {
        Limiter limiter = limits().withRpm(2).withTpm(100).limiter();
        admit(limiter, 0, 80);

        Admission.Wait wait = assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(SECOND, 50));

        assertEquals("tpm", wait.limit());
        assertEquals(new Limiter.Usage(1, 1, 80, 0), limiter.usage(SECOND), "the refused request holds nothing");
        admit(limiter, 2 * SECOND, 20);
        assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(3 * SECOND, 1), "now both requests of the minute are used");
    }

    @Test
    void givenConcurrencyBlocked_whenRefused_thenNoRequestOrTokenIsCounted() {
        Limiter limiter = limits().withRpm(10).withTpm(1000).withRpd(100).withMaxConcurrent(1).limiter();
        admit(limiter, 0, 100);

        assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(SECOND, 100));
        assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(2 * SECOND, 100));

        assertEquals(new Limiter.Usage(1, 1, 100, 1), limiter.usage(2 * SECOND));
    }

    @Test
    void givenRoomInEveryLimit_whenAdmitted_thenEveryLimitCountsIt() {
        Limiter limiter = limits().withRpm(10).withTpm(1000).withRpd(100).withMaxConcurrent(5).withTpr(500).limiter();

        admit(limiter, 0, 400);

        assertEquals(new Limiter.Usage(1, 1, 400, 1), limiter.usage(0));
    }

    @Test
    void givenNoLimits_thenEverythingIsAdmitted() {
        Limiter limiter = new Limiter(Limits.NONE);

        for (int i = 0; i < 1_000; i++) {
            admit(limiter, 0, 1_000_000);
        }

        assertEquals(new Limiter.Usage(1_000, 0, 0, 0), limiter.usage(0));
    }

    // --- when to retry ---

    @Test
    void givenRequestsAndTokensBothBlocked_whenRefused_thenTheRetryTimeIsTheLaterOfTheTwo() {
        Limiter limiter = limits().withRpm(2).withTpm(100).limiter();
        admit(limiter, 0, 10);
        admit(limiter, 30 * SECOND, 90);

        Admission.Wait wait = assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(40 * SECOND, 50));

        assertEquals("tpm", wait.limit(), "requests free at 60 s, but 50 tokens only at 90 s");
        assertEquals(30 * SECOND + MINUTE, wait.retryAt());
    }

    @Test
    void givenRequestsBlockedLongerThanTokens_whenRefused_thenTheRetryTimeIsWhenARequestSlotFrees() {
        Limiter limiter = limits().withRpm(1).withTpm(100).limiter();
        admit(limiter, 0, 100);

        Admission.Wait wait = assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(10 * SECOND, 10));

        assertEquals(MINUTE, wait.retryAt());
        assertInstanceOf(Admission.Admitted.class, limiter.tryAdmit(wait.retryAt(), 10));
    }

    @Test
    void givenTheDayUsedUp_whenRefused_thenTheRetryTimeIsWhenTheFirstRequestOfTheDayLeaves() {
        Limiter limiter = limits().withRpm(100).withRpd(3).limiter();
        admit(limiter, 0, 1);
        admit(limiter, MINUTE, 1);
        admit(limiter, 2 * MINUTE, 1);

        Admission.Wait wait = assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(3 * MINUTE, 1));

        assertEquals("rpd", wait.limit());
        assertEquals(DAY, wait.retryAt());
    }

    @Test
    void givenAllConcurrencySlotsTaken_whenRefused_thenOnlyAFinishingRequestCanMakeRoom() {
        Limiter limiter = limits().withRpm(1).withMaxConcurrent(1).limiter();
        Permit first = admit(limiter, 0, 1);

        Admission.Wait wait = assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(SECOND, 1));

        assertEquals(Long.MAX_VALUE, wait.retryAt(), "no window sliding frees a concurrency slot");
        assertEquals("maxConcurrent", wait.limit());
        limiter.settle(first, 1, 2 * SECOND);
        Admission.Wait rpmOnly = assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(2 * SECOND, 1));
        assertEquals(MINUTE, rpmOnly.retryAt());
    }

    // --- never ---

    @Test
    void givenARequestLargerThanTokensPerRequest_thenItIsNeverAdmittedAndNothingIsTaken() {
        Limiter limiter = limits().withTpr(100).withRpm(10).limiter();

        Admission.Never never = assertInstanceOf(Admission.Never.class, limiter.tryAdmit(0, 101));

        assertEquals(new Admission.Never("tpr", 100, 101), never);
        assertFalse(limiter.canEverAdmit(101));
        assertTrue(limiter.canEverAdmit(100));
        assertInstanceOf(Admission.Admitted.class, limiter.tryAdmit(0, 100));
        assertEquals(1, limiter.usage(0).requestsLastMinute());
    }

    @Test
    void givenAnEstimateAboveTokensPerMinute_thenItIsNeverAdmittedEvenWhenIdle() {
        Limiter limiter = limits().withTpm(1000).limiter();

        assertEquals(new Admission.Never("tpm", 1000, 1001), limiter.tryAdmit(0, 1001));
        assertFalse(limiter.canEverAdmit(1001));
        assertFalse(limiter.wouldAdmit(0, 1001));
    }

    // --- settle ---

    @Test
    void givenAnEstimateReserved_whenSettledToTheRealUsage_thenTheDifferenceIsFreeAtOnce() {
        Limiter limiter = limits().withTpm(1000).limiter();
        Permit big = admit(limiter, 0, 1000);
        assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(SECOND, 700));

        limiter.settle(big, 300, 2 * SECOND);

        assertEquals(300, limiter.usage(2 * SECOND).tokensLastMinute());
        admit(limiter, 2 * SECOND, 700);
        assertEquals(1000, limiter.usage(2 * SECOND).tokensLastMinute());
    }

    @Test
    void givenAnEstimateTooLow_whenSettledToTheRealUsage_thenTheExtraIsCharged() {
        Limiter limiter = limits().withTpm(1000).limiter();
        Permit permit = admit(limiter, 0, 100);

        limiter.settle(permit, 900, SECOND);

        assertEquals(900, limiter.usage(SECOND).tokensLastMinute());
        assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(SECOND, 101));
    }

    @Test
    void givenAPermit_whenSettledTwice_thenItsSlotIsFreedOnceAndItsTokensCorrectedOnce() {
        Limiter limiter = limits().withTpm(1000).withMaxConcurrent(1).limiter();
        Permit first = admit(limiter, 0, 500);

        limiter.settle(first, 200, SECOND);
        limiter.settle(first, 900, SECOND);
        Permit second = admit(limiter, 2 * SECOND, 100);
        limiter.settle(first, 0, 3 * SECOND);

        assertEquals(new Limiter.Usage(1, 0, 300, 0), limiter.usage(3 * SECOND));
        assertInstanceOf(Admission.Wait.class, limiter.tryAdmit(3 * SECOND, 1), "the second still holds the only slot");
        limiter.settle(second, 100, 4 * SECOND);
        assertEquals(0, limiter.usage(4 * SECOND).inFlight());
    }

    @Test
    void givenAPermitOfAnotherLimiter_whenSettled_thenNothingChanges() {
        Limiter limiter = limits().withMaxConcurrent(1).limiter();
        Limiter other = limits().withMaxConcurrent(1).limiter();
        admit(limiter, 0, 1);
        Permit foreign = admit(other, 0, 1);

        limiter.settle(foreign, 0, SECOND);

        assertEquals(1, limiter.usage(SECOND).inFlight());
        assertEquals(1, other.usage(SECOND).inFlight());
    }

    @Test
    void givenAPermitSettledAfterItsMinute_thenItsSlotIsFreedButNoTokensAreChargedAgain() {
        Limiter limiter = limits().withTpm(1000).withMaxConcurrent(1).limiter();
        Permit permit = admit(limiter, 0, 400);

        limiter.settle(permit, 5000, MINUTE + SECOND);

        assertEquals(new Limiter.Usage(0, 0, 0, 0), limiter.usage(MINUTE + SECOND));
        admit(limiter, MINUTE + SECOND, 1000);
    }

    // --- usage and wouldAdmit ---

    @Test
    void givenRequestsOverTime_whenAskingForUsage_thenEachWindowCountsOnlyWhatIsStillInside() {
        Limiter limiter = limits().withRpm(10).withTpm(10_000).withRpd(100).limiter();
        Permit done = admit(limiter, 0, 100);
        admit(limiter, 30 * SECOND, 200);
        limiter.settle(done, 50, 40 * SECOND);

        assertEquals(new Limiter.Usage(1, 2, 250, 2), limiter.usage(40 * SECOND));
        assertEquals(new Limiter.Usage(1, 1, 200, 2), limiter.usage(MINUTE));
        assertEquals(new Limiter.Usage(1, 0, 0, 2), limiter.usage(2 * MINUTE));
        assertEquals(new Limiter.Usage(1, 0, 0, 0), limiter.usage(DAY + MINUTE));
    }

    @Test
    void givenRoom_whenAskingWhetherARequestWouldBeAdmitted_thenNothingIsTaken() {
        Limiter limiter = limits().withRpm(1).withTpm(100).withMaxConcurrent(1).limiter();

        assertTrue(limiter.wouldAdmit(0, 100));
        assertTrue(limiter.wouldAdmit(0, 100));
        assertEquals(new Limiter.Usage(0, 0, 0, 0), limiter.usage(0));
        admit(limiter, 0, 100);
        assertFalse(limiter.wouldAdmit(0, 1));
    }

    @Test
    void givenShorterWindows_thenTheyAreUsedForEveryLimit() {
        Limiter limiter = new Limiter(limits().withRpm(1).withRpd(2).build(), 100, 1_000);
        admit(limiter, 0, 1);

        assertEquals(new Admission.Wait(100, "rpm"), limiter.tryAdmit(50, 1));
        admit(limiter, 100, 1);
        assertEquals(new Admission.Wait(1_000, "rpd"), limiter.tryAdmit(200, 1));
    }

    private static Permit admit(Limiter limiter, long now, long tokens) {
        Admission admission = limiter.tryAdmit(now, tokens);
        return assertInstanceOf(Admission.Admitted.class, admission, "admission at " + now + " of " + tokens).permit();
    }
}
