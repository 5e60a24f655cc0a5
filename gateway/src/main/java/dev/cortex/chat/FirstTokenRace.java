package dev.cortex.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Which of a request's provider calls answers it. Calls follow one another (fail-over), except when a request is
 * hedged: then two are under way at once, and the first to produce a token answers while the other is stopped. A
 * call that failed before its answer was committed withdraws, so that the call after it can still win.
 *
 * <p>Every call enters with a way to stop it; a call that enters after the race was decided is stopped at once.
 */
public final class FirstTokenRace {

    private record Entrant(Object call, Runnable stop) {}

    private final List<Entrant> entrants = new ArrayList<>(2);
    private Object winner;

    /** A call under way for this request; {@code stop} is run (once, on any thread) if another call wins. */
    public void enter(Object call, Runnable stop) {
        synchronized (this) {
            if (winner == null || winner == call) {
                entrants.add(new Entrant(call, stop));
                return;
            }
        }
        stop.run();
    }

    /**
     * This call has its first token: whether it answers. The first to claim wins and every other entrant is stopped;
     * the winner may claim again, and wins again.
     */
    public boolean claim(Object call) {
        List<Entrant> losers;
        synchronized (this) {
            if (winner != null) {
                return winner == call;
            }
            winner = call;
            if (entrants.size() <= 1) { // the usual case: one call at a time
                entrants.clear();
                return true;
            }
            losers = new ArrayList<>(entrants.size() - 1);
            for (Entrant e : entrants) {
                if (e.call() != call) {
                    losers.add(e);
                }
            }
            entrants.clear();
        }
        losers.forEach(e -> e.stop().run());
        return true;
    }

    /** This call failed before its answer was committed: it no longer answers, and leaves the race. */
    public synchronized void withdraw(Object call) {
        if (winner == call) {
            winner = null;
        }
        entrants.removeIf(e -> e.call() == call);
    }

    /** Whether a call has claimed the answer. */
    public synchronized boolean decided() {
        return winner != null;
    }
}
