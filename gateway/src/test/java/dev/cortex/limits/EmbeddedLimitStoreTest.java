package dev.cortex.limits;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract, on the embedded store with its file, and what only a file gives: a budget spent stays spent. */
class EmbeddedLimitStoreTest extends LimitStoreContractTest {

    @TempDir
    Path dir;

    @Override
    LimitStore newStore() {
        return new EmbeddedLimitStore(dir, 30, T0);
    }

    @Test
    void aBudgetSpentBeforeARestartStaysSpent() {
        KeyLimits limits = new KeyLimits(NONE, NONE, 1000, NONE);
        assertThat(ask(limits, 10, 900, T0).admitted()).isTrue();
        store.close();

        store = newStore();
        assertThat(store.spent(key, T0)).isEqualTo(new LimitStore.Spent(900, 900));
        assertThat(ask(limits, 10, 200, T0).refusedBy()).isEqualTo(LimitKind.DAY_BUDGET);
        assertThat(ask(limits, 10, 100, T0).admitted()).isTrue();
    }
}
