package io.github.dubboredis.internal.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The admin's budget of first reads of keys it has not seen, on a clock the test moves. */
class NewKeyBudgetTest {

    private final AtomicLong nanos = new AtomicLong(123_456_789L);
    private final NewKeyBudget budget = new NewKeyBudget(3, nanos::get);

    @Test
    void atMostTheLimitInFlight() {
        assertThat(takeAll()).isEqualTo(3);
        later(2000); // a new second, but three reads still in flight
        assertThat(budget.tryTake()).isFalse();
        budget.done();
        assertThat(budget.tryTake()).isTrue();
        assertThat(budget.tryTake()).isFalse();
    }

    @Test
    void atMostTheLimitStartedInOneSecondEvenWhenEachIsDoneAtOnce() {
        int started = 0;
        for (int i = 0; i < 100; i++) {
            if (budget.tryTake()) {
                started++;
                budget.done();
            }
        }
        assertThat(started).isEqualTo(3);
        later(999);
        assertThat(budget.tryTake()).isFalse();
        later(1);
        assertThat(budget.tryTake()).isTrue();
    }

    @Test
    void doneWithoutATakeNeverRaisesTheBudget() {
        budget.done();
        budget.done();
        assertThat(takeAll()).isEqualTo(3);
    }

    @Test
    void aClockStartingAtZeroStillOpensTheFirstSecond() {
        NewKeyBudget fromZero = new NewKeyBudget(2, () -> 0L);
        assertThat(fromZero.tryTake()).isTrue();
        assertThat(fromZero.tryTake()).isTrue();
        assertThat(fromZero.tryTake()).isFalse();
    }

    private int takeAll() {
        int n = 0;
        while (n < 100 && budget.tryTake()) {
            n++;
        }
        return n;
    }

    private void later(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
