package dev.cortex.limits;

import java.math.BigDecimal;

/**
 * What one model costs, in US dollars per million tokens, input and output apart. A dollar per million tokens is a
 * micro-dollar per token, so a cost in micro-dollars is tokens times these prices.
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion) {

    public static final ModelPrice FREE = new ModelPrice(0, 0);

    public ModelPrice {
        if (inputPerMillion < 0
                || outputPerMillion < 0
                || Double.isNaN(inputPerMillion)
                || Double.isNaN(outputPerMillion)) {
            throw new IllegalArgumentException("a price cannot be negative");
        }
    }

    /**
     * Reads a price as written in the settings: {@code 0.59 / 0.79} (input / output) or one number for both.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static ModelPrice parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length > 2 || text.isBlank()) {
            throw new IllegalArgumentException(
                    "a price is 'input / output' in US dollars per million tokens, e.g. 0.59 / 0.79, got '" + text
                            + "'");
        }
        try {
            double input = new BigDecimal(parts[0].trim()).doubleValue();
            double output = parts.length == 2 ? new BigDecimal(parts[1].trim()).doubleValue() : input;
            return new ModelPrice(input, output);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "a price is 'input / output' in US dollars per million tokens, e.g. 0.59 / 0.79, got '" + text
                            + "'");
        }
    }

    /** The cost of these tokens, in micro-dollars, rounded up: a budget never loses a fraction to rounding. */
    public long costMicros(long inputTokens, long outputTokens) {
        return (long) Math.ceil(inputTokens * inputPerMillion + outputTokens * outputPerMillion);
    }

    public boolean free() {
        return inputPerMillion == 0 && outputPerMillion == 0;
    }
}
