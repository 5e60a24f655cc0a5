package dev.cortex.limits;

/** Which of a key's limits refused a request. */
public enum LimitKind {
    REQUESTS("requests"),
    TOKENS("tokens"),
    DAY_BUDGET("budget_day"),
    MONTH_BUDGET("budget_month");

    private final String label;

    LimitKind(String label) {
        this.label = label;
    }

    /** Its name in metrics and messaging properties. */
    public String label() {
        return label;
    }

    public boolean isBudget() {
        return this == DAY_BUDGET || this == MONTH_BUDGET;
    }
}
