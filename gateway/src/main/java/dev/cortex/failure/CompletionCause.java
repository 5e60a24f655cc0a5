package dev.cortex.failure;

import java.util.concurrent.CompletionException;

/** What really went wrong, when a future's stage wrapped it in a {@link CompletionException}. */
public final class CompletionCause {

    private CompletionCause() {}

    public static Throwable of(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
