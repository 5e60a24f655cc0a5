package dev.cortex.limits;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every limit store does, whichever keeps its state: run against the embedded store and against Redis. Time is
 * the Instants the test passes, moved by hand. Each test uses a key of its own, so stores sharing a backend do not
 * see each other's tests.
 */
abstract class LimitStoreContractTest {

    static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    static final long NONE = KeyLimits.NONE;

    LimitStore store;
    String key;

    /** A fresh store on the backend under test. */
    abstract LimitStore newStore();

    @BeforeEach
    void open() {
        store = newStore();
        key = "team-" + UUID.randomUUID();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    Decision ask(KeyLimits limits, long tokens, long cost, Instant at) {
        return store.admit(new Ask(key, limits, tokens, cost), at);
    }

    @Test
    void requestsPerMinuteRefuseWithTheWaitForOneRequest() {
        KeyLimits limits = new KeyLimits(3, NONE, NONE, NONE);
        for (int i = 0; i < 3; i++) {
            Decision d = ask(limits, 10, 0, T0);
            assertThat(d.admitted()).isTrue();
            assertThat(d.requests()).isEqualTo(new RateWindow(3, 2 - i, (i + 1) * 20_000L));
            assertThat(d.tokens()).isEqualTo(RateWindow.NONE);
        }
        Decision refused = ask(limits, 10, 0, T0);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.refusedBy()).isEqualTo(LimitKind.REQUESTS);
        assertThat(refused.retryAfterMillis()).isEqualTo(20_000); // a minute's worth over 3: one back every 20 s
        assertThat(refused.reservation()).isNull();
    }

    @Test
    void tokensRefuseWithTheWaitOrNeverWhenLargerThanTheMinute() {
        KeyLimits limits = new KeyLimits(NONE, 1000, NONE, NONE);
        Decision first = ask(limits, 600, 0, T0);
        assertThat(first.admitted()).isTrue();
        assertThat(first.tokens()).isEqualTo(new RateWindow(1000, 400, 36_000));

        Decision second = ask(limits, 600, 0, T0);
        assertThat(second.refusedBy()).isEqualTo(LimitKind.TOKENS);
        assertThat(second.retryAfterMillis()).isEqualTo(12_000); // 200 missing at 1000 a minute

        Decision huge = ask(limits, 1001, 0, T0.plusSeconds(3600));
        assertThat(huge.refusedBy()).isEqualTo(LimitKind.TOKENS);
        assertThat(huge.retryAfterMillis()).isEqualTo(-1);
    }

    @Test
    void dayBudgetRefusesUntilTomorrowButNeverWhatCostsNothing() {
        KeyLimits limits = new KeyLimits(NONE, NONE, 1000, NONE);
        assertThat(ask(limits, 10, 600, T0).admitted()).isTrue();
        Decision over = ask(limits, 10, 600, T0);
        assertThat(over.refusedBy()).isEqualTo(LimitKind.DAY_BUDGET);
        assertThat(over.retryAfterMillis()).isEqualTo(Duration.ofHours(14).toMillis());
        assertThat(ask(limits, 10, 400, T0).admitted()).isTrue(); // exactly the budget is still within it

        Decision free = ask(limits, 10, 0, T0);
        assertThat(free.admitted()).isTrue();
        assertThat(store.spent(key, T0)).isEqualTo(new LimitStore.Spent(1000, 1000));
        assertThat(ask(limits, 10, 600, T0.plus(Duration.ofHours(14))).admitted())
                .isTrue();
    }

    @Test
    void monthBudgetRefusesUntilNextMonthAndIsCheckedBeforeTheDay() {
        KeyLimits limits = new KeyLimits(NONE, NONE, 1000, 1500);
        assertThat(ask(limits, 10, 800, T0).admitted()).isTrue();
        Instant tomorrow = T0.plus(Duration.ofDays(1));
        assertThat(ask(limits, 10, 600, tomorrow).admitted()).isTrue();
        Decision over = ask(limits, 10, 1000, tomorrow); // over both: the month speaks
        assertThat(over.refusedBy()).isEqualTo(LimitKind.MONTH_BUDGET);
        assertThat(over.retryAfterMillis())
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z").toEpochMilli() - tomorrow.toEpochMilli());
        assertThat(ask(limits, 10, 0, tomorrow).admitted()).isTrue();
        assertThat(ask(limits, 10, 1000, Instant.parse("2027-01-01T00:00:00Z")).admitted())
                .isTrue();
    }

    @Test
    void aRefusalCountsNothing() {
        KeyLimits limits = new KeyLimits(2, 100, 500, NONE);
        assertThat(ask(limits, 80, 100, T0).admitted()).isTrue();
        assertThat(ask(limits, 80, 100, T0).refusedBy()).isEqualTo(LimitKind.TOKENS);
        assertThat(ask(limits, 10, 1000, T0).refusedBy()).isEqualTo(LimitKind.DAY_BUDGET);
        // neither refusal took a request, tokens or money: the second request is still there, with 20 tokens
        Decision second = ask(limits, 20, 100, T0);
        assertThat(second.admitted()).isTrue();
        assertThat(second.tokens().remaining()).isZero();
        assertThat(store.spent(key, T0).dayMicros()).isEqualTo(200);
        assertThat(ask(limits, 0, 0, T0).refusedBy()).isEqualTo(LimitKind.REQUESTS);
    }

    @Test
    void settleGivesBackOrChargesTokensAndCorrectsTheSpend() {
        KeyLimits limits = new KeyLimits(NONE, 1000, 10_000, NONE);
        Decision d = ask(limits, 800, 5000, T0);
        assertThat(d.tokens().remaining()).isEqualTo(200);
        store.settle(d.reservation(), new Spend("groq", "llama", 100, 200, 1200), T0);
        assertThat(store.spent(key, T0)).isEqualTo(new LimitStore.Spent(1200, 1200));

        Decision again = ask(limits, 700, 100, T0); // 500 given back: 700 there
        assertThat(again.admitted()).isTrue();
        assertThat(again.tokens().remaining()).isZero();
        store.settle(again.reservation(), new Spend("groq", "llama", 400, 500, 300), T0); // 200 beyond: a debt
        assertThat(store.spent(key, T0)).isEqualTo(new LimitStore.Spent(1500, 1500));
        Decision inDebt = ask(limits, 1, 0, T0);
        assertThat(inDebt.refusedBy()).isEqualTo(LimitKind.TOKENS);
        assertThat(inDebt.retryAfterMillis()).isEqualTo(12_060); // 201 missing at 1000 a minute
    }

    @Test
    void usageAddsUpPerDayProviderAndModelOnTheDayOfTheReservation() {
        KeyLimits limits = new KeyLimits(NONE, NONE, NONE, NONE);
        Instant lateOnDay1 = Instant.parse("2026-12-03T23:59:59Z");
        Reservation r1 = ask(limits, 10, 0, lateOnDay1).reservation();
        Reservation r2 = ask(limits, 10, 0, lateOnDay1).reservation();
        Reservation r3 = ask(limits, 10, 0, lateOnDay1).reservation();
        Instant day2 = Instant.parse("2026-12-04T08:00:00Z");
        Reservation r4 = ask(limits, 10, 0, day2).reservation();
        store.settle(r1, new Spend("groq", "llama-3.1-8b", 10, 20, 30), day2); // ended after midnight: still day 1
        store.settle(r2, new Spend("groq", "llama-3.1-8b", 1, 2, 3), day2);
        store.settle(r3, Spend.nothing(), day2);
        store.settle(r4, new Spend("gemini", "flash", 5, 6, 7), day2);

        List<UsageRow> rows = store.usage(List.of(key, "nobody"), LocalDate.of(2026, 12, 1), LocalDate.of(2026, 12, 4));
        assertThat(rows)
                .containsExactlyInAnyOrder(
                        new UsageRow(LocalDate.of(2026, 12, 3), key, "groq", "llama-3.1-8b", 2, 11, 22, 33),
                        new UsageRow(LocalDate.of(2026, 12, 3), key, "-", "-", 1, 0, 0, 0),
                        new UsageRow(LocalDate.of(2026, 12, 4), key, "gemini", "flash", 1, 5, 6, 7));
        assertThat(rows.get(2).day()).isEqualTo(LocalDate.of(2026, 12, 4));
        assertThat(store.usage(List.of(key), LocalDate.of(2026, 12, 4), LocalDate.of(2026, 12, 4)))
                .hasSize(1);
    }

    @Test
    void bucketsRefillContinuouslyOverTheMinute() {
        KeyLimits limits = new KeyLimits(60, 6000, NONE, NONE);
        for (int i = 0; i < 60; i++) {
            assertThat(ask(limits, 100, 0, T0).admitted()).isTrue();
        }
        assertThat(ask(limits, 100, 0, T0).refusedBy()).isEqualTo(LimitKind.TOKENS);
        assertThat(ask(limits, 0, 0, T0).refusedBy()).isEqualTo(LimitKind.REQUESTS);
        Instant later = T0.plusSeconds(1); // one request and 100 tokens back
        Decision one = ask(limits, 100, 0, later);
        assertThat(one.admitted()).isTrue();
        assertThat(ask(limits, 0, 0, later).refusedBy()).isEqualTo(LimitKind.REQUESTS);
        Decision full = ask(limits, 0, 0, T0.plusSeconds(300));
        assertThat(full.requests()).isEqualTo(new RateWindow(60, 59, 1000));
        assertThat(full.tokens()).isEqualTo(new RateWindow(6000, 6000, 0));
    }

    @Test
    void aChangedLimitTakesEffectAtOnce() {
        assertThat(ask(new KeyLimits(10, NONE, NONE, NONE), 0, 0, T0).admitted())
                .isTrue();
        Decision smaller = ask(new KeyLimits(2, NONE, NONE, NONE), 0, 0, T0);
        assertThat(smaller.admitted()).isTrue();
        assertThat(smaller.requests()).isEqualTo(new RateWindow(2, 1, 30_000)); // 9 left of 10 is 2 of 2
        assertThat(ask(new KeyLimits(2, NONE, NONE, NONE), 0, 0, T0).admitted()).isTrue();
        assertThat(ask(new KeyLimits(2, NONE, NONE, NONE), 0, 0, T0).refusedBy())
                .isEqualTo(LimitKind.REQUESTS);
    }
}
