package dev.cortex.limits;

import java.math.BigDecimal;

/**
 * How much one gateway key may use: requests and tokens (input plus output) per minute, and money per day and per month
 * (UTC calendar days and months, in micro-dollars so that sums stay exact). {@link #NONE} in a field means no limit; a
 * budget of 0 means nothing that costs money (local models, which cost nothing, stay usable).
 */
public record KeyLimits(long requestsPerMinute, long tokensPerMinute, long dayBudgetMicros, long monthBudgetMicros) {

    /** A field without a limit. */
    public static final long NONE = -1;

    public static final KeyLimits UNLIMITED = new KeyLimits(NONE, NONE, NONE, NONE);

    public KeyLimits {
        positiveOrNone(requestsPerMinute, "requests per minute");
        positiveOrNone(tokensPerMinute, "tokens per minute");
        if (dayBudgetMicros < NONE || monthBudgetMicros < NONE) {
            throw new IllegalArgumentException("a budget cannot be negative");
        }
    }

    /** Whether any limit is set: a key without one never touches the limit store. */
    public boolean any() {
        return requestsPerMinute != NONE
                || tokensPerMinute != NONE
                || dayBudgetMicros != NONE
                || monthBudgetMicros != NONE;
    }

    public boolean hasBudget() {
        return dayBudgetMicros != NONE || monthBudgetMicros != NONE;
    }

    /** These limits, with each field this key leaves unset taken from {@code defaults}. */
    public KeyLimits orElse(KeyLimits defaults) {
        return new KeyLimits(
                requestsPerMinute != NONE ? requestsPerMinute : defaults.requestsPerMinute,
                tokensPerMinute != NONE ? tokensPerMinute : defaults.tokensPerMinute,
                dayBudgetMicros != NONE ? dayBudgetMicros : defaults.dayBudgetMicros,
                monthBudgetMicros != NONE ? monthBudgetMicros : defaults.monthBudgetMicros);
    }

    private static void positiveOrNone(long value, String what) {
        if (value != NONE && value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }

    /** Dollars (as written in the key file and the settings) to micro-dollars; refuses what has finer cents. */
    public static long micros(BigDecimal dollars) {
        if (dollars.signum() < 0) {
            throw new IllegalArgumentException("an amount of money cannot be negative, got " + dollars);
        }
        return dollars.movePointRight(6).longValueExact();
    }

    /** Micro-dollars as dollars, plainly written ({@code 1.25}, {@code 0.000421}). */
    public static String dollars(long micros) {
        return BigDecimal.valueOf(micros).movePointLeft(6).stripTrailingZeros().toPlainString();
    }
}
