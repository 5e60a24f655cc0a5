package dev.cortex.chat;

/**
 * The caller's side of a request while Cortex finds it an answer: whether it is still there. An HTTP caller may hang
 * up at any moment, streaming or not; then the provider call in flight is cancelled, its bulkhead slot freed, and no
 * provider is blamed.
 */
public interface ClientLink {

    /** A caller that cannot hang up mid-request (a queued message: its broker keeps it until it is answered). */
    ClientLink NONE = new ClientLink() {
        @Override
        public boolean gone() {
            return false;
        }

        @Override
        public void onGone(Runnable action) {
            // never gone
        }
    };

    boolean gone();

    /**
     * Runs {@code action} once if the caller goes away (at once, if it already has). A later call replaces the
     * action: only the provider call in flight needs to know.
     */
    void onGone(Runnable action);
}
