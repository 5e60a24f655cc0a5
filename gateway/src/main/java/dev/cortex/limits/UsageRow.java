package dev.cortex.limits;

import java.time.LocalDate;

/** One key's use of one provider's model on one UTC day. */
public record UsageRow(
        LocalDate day,
        String key,
        String provider,
        String model,
        long requests,
        long inputTokens,
        long outputTokens,
        long costMicros) {

    /** This row and {@code other} (same day, key, provider and model) added up. */
    public UsageRow plus(UsageRow other) {
        return new UsageRow(
                day,
                key,
                provider,
                model,
                requests + other.requests,
                inputTokens + other.inputTokens,
                outputTokens + other.outputTokens,
                costMicros + other.costMicros);
    }
}
