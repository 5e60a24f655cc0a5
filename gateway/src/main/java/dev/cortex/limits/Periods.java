package dev.cortex.limits;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** Budgets run per UTC calendar day and month: their names in the stores, and when each ends. */
public final class Periods {

    private Periods() {}

    public static LocalDate day(Instant now) {
        return LocalDate.ofInstant(now, ZoneOffset.UTC);
    }

    public static YearMonth month(Instant now) {
        return YearMonth.from(day(now));
    }

    public static long millisToNextDay(Instant now) {
        Instant next = day(now).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        return next.toEpochMilli() - now.toEpochMilli();
    }

    public static long millisToNextMonth(Instant now) {
        Instant next = month(now).plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        return next.toEpochMilli() - now.toEpochMilli();
    }
}
