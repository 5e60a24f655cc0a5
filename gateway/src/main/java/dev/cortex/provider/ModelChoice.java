package dev.cortex.provider;

/**
 * Which of one provider's models serves a request, or why none can ({@link Capabilities}' reason words: {@code no
 * tools}, {@code context too small}, ...).
 *
 * @param model   the model to ask; null when none fits
 * @param refusal why no model fits; null when one does
 */
public record ModelChoice(String model, String refusal) {

    public static ModelChoice of(String model) {
        return new ModelChoice(model, null);
    }

    public static ModelChoice none(String why) {
        return new ModelChoice(null, why);
    }

    public boolean fits() {
        return model != null;
    }
}
