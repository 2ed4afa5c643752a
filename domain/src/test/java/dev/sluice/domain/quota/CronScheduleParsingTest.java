package dev.sluice.domain.quota;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CronScheduleParsingTest {

    private static SortedSet<Integer> values(String expression, CronField field) {
        return CronSchedule.parse(expression).values(field);
    }

    private static SortedSet<Integer> setOf(Integer... values) {
        return new TreeSet<>(List.of(values));
    }

    private static SortedSet<Integer> rangeOf(int from, int to) {
        return new TreeSet<>(IntStream.rangeClosed(from, to).boxed().toList());
    }

    private static String errorOf(String expression) {
        return assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(expression)).getMessage();
    }

    // --- syntax forms

    @Test
    void givenStars_thenEveryFieldAllowsItsWholeRange() {
        CronSchedule schedule = CronSchedule.parse("* * * * *");

        assertEquals(rangeOf(0, 59), schedule.values(CronField.MINUTE));
        assertEquals(rangeOf(0, 23), schedule.values(CronField.HOUR));
        assertEquals(rangeOf(1, 31), schedule.values(CronField.DAY_OF_MONTH));
        assertEquals(rangeOf(1, 12), schedule.values(CronField.MONTH));
        assertEquals(rangeOf(0, 6), schedule.values(CronField.DAY_OF_WEEK));
    }

    @Test
    void givenSingleNumbers_thenEachFieldAllowsThatValue() {
        CronSchedule schedule = CronSchedule.parse("5 4 3 2 1");

        assertEquals(setOf(5), schedule.values(CronField.MINUTE));
        assertEquals(setOf(4), schedule.values(CronField.HOUR));
        assertEquals(setOf(3), schedule.values(CronField.DAY_OF_MONTH));
        assertEquals(setOf(2), schedule.values(CronField.MONTH));
        assertEquals(setOf(1), schedule.values(CronField.DAY_OF_WEEK));
    }

    @Test
    void givenTheBoundsOfEachField_thenTheyAreAccepted() {
        assertEquals(setOf(0, 59), values("0,59 * * * *", CronField.MINUTE));
        assertEquals(setOf(0, 23), values("* 0,23 * * *", CronField.HOUR));
        assertEquals(setOf(1, 31), values("* * 1,31 * *", CronField.DAY_OF_MONTH));
        assertEquals(setOf(1, 12), values("* * * 1,12 *", CronField.MONTH));
        assertEquals(setOf(0, 6), values("* * * * 0,6", CronField.DAY_OF_WEEK));
    }

    @Test
    void givenAList_thenEachElementIsAllowed() {
        assertEquals(setOf(0, 15, 30, 45), values("0,15,30,45 * * * *", CronField.MINUTE));
    }

    @Test
    void givenARange_thenBothEndsAndEverythingBetweenAreAllowed() {
        assertEquals(rangeOf(9, 17), values("0 9-17 * * *", CronField.HOUR));
    }

    @Test
    void givenARangeOfOneValue_thenThatValueIsAllowed() {
        assertEquals(setOf(9), values("0 9-9 * * *", CronField.HOUR));
    }

    @Test
    void givenAStepOverStar_thenEveryNthValueFromTheFieldMinimum() {
        assertEquals(setOf(0, 15, 30, 45), values("*/15 * * * *", CronField.MINUTE));
        assertEquals(setOf(0, 6, 12, 18), values("0 */6 * * *", CronField.HOUR));
        assertEquals(setOf(1, 11, 21, 31), values("0 0 */10 * *", CronField.DAY_OF_MONTH));
        assertEquals(setOf(1, 4, 7, 10), values("0 0 1 */3 *", CronField.MONTH));
        assertEquals(setOf(0, 2, 4, 6), values("0 0 * * */2", CronField.DAY_OF_WEEK));
    }

    @Test
    void givenAStepOverARange_thenEveryNthValueOfTheRange() {
        assertEquals(setOf(10, 25, 40), values("10-50/15 * * * *", CronField.MINUTE));
        assertEquals(setOf(1, 3, 5), values("0 0 * * 1-5/2", CronField.DAY_OF_WEEK));
    }

    @Test
    void givenAStepOfOne_thenEveryValue() {
        assertEquals(rangeOf(0, 59), values("*/1 * * * *", CronField.MINUTE));
    }

    @Test
    void givenAListMixingValuesRangesAndSteps_thenTheUnionIsAllowed() {
        assertEquals(setOf(1, 2, 3, 5, 7, 30, 40, 50), values("5,1-3,7,30-59/10 * * * *", CronField.MINUTE));
    }

    @Test
    void givenOverlappingListElements_thenEachValueIsAllowedOnce() {
        assertEquals(setOf(1, 2, 3, 4), values("1-3,2-4 * * * *", CronField.MINUTE));
    }

    @Test
    void givenMonthNamesInAnyCase_thenTheyMeanTheirNumbers() {
        assertEquals(setOf(1, 6, 12), values("0 0 1 JAN,jun,Dec *", CronField.MONTH));
        assertEquals(rangeOf(3, 5), values("0 0 1 mar-MAY *", CronField.MONTH));
        assertEquals(setOf(1, 3, 5, 7, 9, 11), values("0 0 1 JAN-DEC/2 *", CronField.MONTH));
    }

    @Test
    void givenDayNamesInAnyCase_thenTheyMeanTheirNumbersWithSundayAsZero() {
        assertEquals(rangeOf(1, 5), values("30 9 * * MON-FRI", CronField.DAY_OF_WEEK));
        assertEquals(setOf(0, 6), values("0 0 * * sat,Sun", CronField.DAY_OF_WEEK));
        assertEquals(rangeOf(0, 6), values("0 0 * * SUN-SAT", CronField.DAY_OF_WEEK));
    }

    @Test
    void givenNamesMixedWithNumbers_thenBothAreRead() {
        assertEquals(setOf(1, 2, 3), values("0 0 1 JAN-2,MAR *", CronField.MONTH));
        assertEquals(rangeOf(1, 5), values("0 0 * * 1-FRI", CronField.DAY_OF_WEEK));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"0", "7", "SUN", "sun", "0,7"})
    void givenSundayAsZeroSevenOrName_thenItIsTheSameDay(String dayOfWeek) {
        assertEquals(setOf(0), values("0 0 * * " + dayOfWeek, CronField.DAY_OF_WEEK));
    }

    @Test
    void givenARangeEndingInSeven_thenItEndsOnSunday() {
        assertEquals(setOf(0, 5, 6), values("0 0 * * 5-7", CronField.DAY_OF_WEEK));
        assertEquals(rangeOf(0, 6), values("0 0 * * 0-7", CronField.DAY_OF_WEEK));
    }

    @Test
    void givenExtraWhitespaceAndTabs_thenTheFieldsAreStillFoundAndTheExpressionIsNormalised() {
        CronSchedule schedule = CronSchedule.parse("  30\t9  * *   MON-FRI \n");

        assertEquals("30 9 * * MON-FRI", schedule.expression());
        assertEquals("30 9 * * MON-FRI", schedule.toString());
        assertEquals(setOf(30), schedule.values(CronField.MINUTE));
    }

    @Test
    void givenTheSameExpression_thenSchedulesAreEqual() {
        assertEquals(CronSchedule.parse("0 0 * * *"), CronSchedule.parse(" 0  0 * * * "));
        assertEquals(CronSchedule.parse("0 0 * * *").hashCode(), CronSchedule.parse("0 0 * * *").hashCode());
        assertNotEquals(CronSchedule.parse("0 0 * * *"), CronSchedule.parse("0 1 * * *"));
    }

    // --- which day rule applies

    @Test
    void givenBothDayFieldsRestricted_thenEitherDayMatches() {
        assertTrue(CronSchedule.parse("0 0 13 * FRI").eitherDayMatches());
        assertTrue(CronSchedule.parse("0 0 1-31 * 1").eitherDayMatches(), "a full range is still written as a restriction");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"0 0 * * *", "0 0 13 * *", "0 0 * * FRI", "0 0 */2 * FRI", "0 0 13 * */2"})
    void givenADayFieldStartingWithStar_thenBothDayFieldsMustMatch(String expression) {
        assertFalse(CronSchedule.parse(expression).eitherDayMatches());
    }

    // --- errors

    @ParameterizedTest(name = "\"{0}\" has {1} fields")
    @CsvSource(delimiter = '|', value = {
            "''|0",
            "'   '|0",
            "*|1",
            "* * * *|4",
            "* * * * * *|6",
            "0 0 0 * * * 2025|7",
    })
    void givenTheWrongNumberOfFields_thenTheErrorSaysHowManyWereExpectedAndFound(String expression, int found) {
        String message = errorOf(expression);

        assertTrue(message.startsWith("expected 5 fields (minute hour day-of-month month day-of-week) but got " + found),
                message);
    }

    @Test
    void givenNull_thenItIsABug() {
        assertThrows(NullPointerException.class, () -> CronSchedule.parse(null));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {
            "60 * * * *|minute: 60 is out of range 0-59",
            "* 24 * * *|hour: 24 is out of range 0-23",
            "* * 0 * *|day-of-month: 0 is out of range 1-31",
            "* * 32 * *|day-of-month: 32 is out of range 1-31",
            "* * * 0 *|month: 0 is out of range 1-12",
            "* * * 13 *|month: 13 is out of range 1-12",
            "* * * * 8|day-of-week: 8 is out of range 0-7",
            "0-60 * * * *|minute: 60 is out of range 0-59",
            "* 20-24/2 * * *|hour: 24 is out of range 0-23",
            "1,2,99 * * * *|minute: 99 is out of range 0-59",
            "99999999999 * * * *|minute: 99999999999 is out of range 0-59",
    })
    void givenAValueOutOfRange_thenTheErrorNamesTheFieldTheValueAndTheRange(String expression, String expected) {
        assertEquals(expected, errorOf(expression));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {
            "*/0 * * * *|minute: step 0 is out of range 1-59",
            "*/60 * * * *|minute: step 60 is out of range 1-59",
            "0 */24 * * *|hour: step 24 is out of range 1-23",
            "0 0 */31 * *|day-of-month: step 31 is out of range 1-30",
            "0 0 1 */12 *|month: step 12 is out of range 1-11",
            "0 0 * * */7|day-of-week: step 7 is out of range 1-6",
            "*/ * * * *|minute: missing step after '/'",
            "*/x * * * *|minute: step 'x' is not a number",
            "*/-5 * * * *|minute: step '-5' is not a number",
            "*/5/2 * * * *|minute: step '5/2' is not a number",
            "*/1.5 * * * *|minute: step '1.5' is not a number",
            "5/15 * * * *|minute: '5/15' has a step without a range; write */15 or 5-59/15",
    })
    void givenABadStep_thenTheErrorNamesTheFieldAndSaysWhy(String expression, String expected) {
        assertEquals(expected, errorOf(expression));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {
            "30-10 * * * *|minute: range 30-10 goes backwards (30 > 10)",
            "0 0 * * FRI-MON|day-of-week: range FRI-MON goes backwards (5 > 1)",
            "0 0 1 DEC-JAN *|month: range DEC-JAN goes backwards (12 > 1)",
            "1- * * * *|minute: missing value in '1-'",
            "-1 * * * *|minute: missing value in '-1'",
            "1-2-3 * * * *|minute: '2-3' is not a number",
    })
    void givenABadRange_thenTheErrorNamesTheFieldAndSaysWhy(String expression, String expected) {
        assertEquals(expected, errorOf(expression));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {
            "x * * * *|minute: 'x' is not a number",
            "0 noon * * *|hour: 'noon' is not a number",
            "0 0 L * *|day-of-month: 'L' is not a number",
            "0 0 ? * MON|day-of-month: '?' is not a number",
            "0 0 * * 1#2|day-of-week: '1#2' is not a number or a name (SUN-SAT)",
            "+5 * * * *|minute: '+5' is not a number",
            "1.5 * * * *|minute: '1.5' is not a number",
            "1,,2 * * * *|minute: empty list element in '1,,2'",
            "1, * * * *|minute: empty list element in '1,'",
            ",1 * * * *|minute: empty list element in ',1'",
            "** * * * *|minute: '**' is not a number",
    })
    void givenGarbage_thenTheErrorNamesTheFieldAndQuotesIt(String expression, String expected) {
        assertEquals(expected, errorOf(expression));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {
            "0 0 1 MON *|month: 'MON' is not a number or a name (JAN-DEC)",
            "0 0 1 JANUARY *|month: 'JANUARY' is not a number or a name (JAN-DEC)",
            "0 0 * * JAN|day-of-week: 'JAN' is not a number or a name (SUN-SAT)",
            "0 0 * * MONDAY|day-of-week: 'MONDAY' is not a number or a name (SUN-SAT)",
            "0 0 JAN * *|day-of-month: 'JAN' is not a number",
            "MON 0 * * *|minute: 'MON' is not a number",
    })
    void givenANameWhereItDoesNotBelong_thenTheErrorListsTheNamesTheFieldTakes(String expression, String expected) {
        assertEquals(expected, errorOf(expression));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {
            "0 0 31 2 *|day-of-month: 31 never occurs in month 2, so the schedule never fires",
            "0 0 30,31 FEB *|day-of-month: 30,31 never occurs in month FEB, so the schedule never fires",
            "0 0 31 4,6,9,11 *|day-of-month: 31 never occurs in month 4,6,9,11, so the schedule never fires",
            "0 0 31 2 */2|day-of-month: 31 never occurs in month 2, so the schedule never fires",
    })
    void givenADayThatNeverOccursInTheMonths_thenTheScheduleIsRejectedAsNeverFiring(String expression, String expected) {
        assertEquals(expected, errorOf(expression));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"0 0 29 2 *", "0 0 31 2,3 *", "0 0 31 2 MON", "0 0 29 2 */3"})
    void givenADayThatOccursSometimes_thenTheScheduleIsAccepted(String expression) {
        assertEquals(expression, CronSchedule.parse(expression).expression());
    }
}
