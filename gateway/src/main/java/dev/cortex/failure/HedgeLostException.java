package dev.cortex.failure;

/**
 * A hedged request's other provider produced its first token first: this call was cancelled. Nobody failed, so no
 * breaker or failure count hears of it, and the chain neither stops nor moves on because of it: the winner answers.
 */
public final class HedgeLostException extends RuntimeException {

    public HedgeLostException() {
        super("another provider's call for this request produced its first token first", null, false, false);
    }
}
