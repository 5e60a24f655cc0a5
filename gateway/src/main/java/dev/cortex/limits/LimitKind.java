package dev.cortex.limits;

/** Which of a key's limits refused a request. */
public enum LimitKind {
    REQUESTS("requests", "requests per minute"),
    TOKENS("tokens", "tokens per minute"),
    DAY_BUDGET("budget_day", "budget per day"),
    MONTH_BUDGET("budget_month", "budget per month");

    private final String label;
    private final String words;

    LimitKind(String label, String words) {
        this.label = label;
        this.words = words;
    }

    /** Its name in metrics and messaging properties. */
    public String label() {
        return label;
    }

    /** Its name in an error message. */
    public String words() {
        return words;
    }

    public boolean isBudget() {
        return this == DAY_BUDGET || this == MONTH_BUDGET;
    }
}
