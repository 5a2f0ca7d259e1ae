package io.wharf.proxy.route.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class TlsSendBudgetTest {
  private final TlsSendBudget budget = new TlsSendBudget(1000);
  private final List<String> granted = new ArrayList<>();

  private TlsSendBudget.Waiter waiter(String name, boolean accepts) {
    return bytes -> {
      if (accepts) {
        granted.add(name + ":" + bytes);
      }
      return accepts;
    };
  }

  @Test
  void takesWhatFitsAndQueuesTheRest() {
    assertThat(budget.take(600, waiter("a", true))).isTrue();
    assertThat(budget.take(400, waiter("b", true))).isTrue();

    assertThat(budget.take(1, waiter("c", true))).isFalse();

    assertThat(budget.held()).isEqualTo(1000);
    assertThat(budget.waiting()).isEqualTo(1);
    assertThat(granted).isEmpty();
  }

  @Test
  void givingBackGrantsWaitersInTheOrderTheyCameAsFarAsTheBudgetGoes() {
    budget.take(1000, waiter("first", true));
    budget.take(500, waiter("x", true));
    budget.take(300, waiter("y", true));
    budget.take(300, waiter("z", true));

    budget.giveBack(1000);

    assertThat(granted).containsExactly("x:500", "y:300"); // z would pass 1000
    assertThat(budget.held()).isEqualTo(800);
    assertThat(budget.waiting()).isEqualTo(1);
    budget.giveBack(500);
    assertThat(granted).containsExactly("x:500", "y:300", "z:300");
  }

  @Test
  void aNewcomerQueuesBehindWaitersEvenWhenItWouldFit() {
    budget.take(900, waiter("holder", true));
    budget.take(500, waiter("waiting", true));

    assertThat(budget.take(50, waiter("newcomer", true))).as("takes turns: first come first served").isFalse();

    budget.giveBack(900);
    assertThat(granted).containsExactly("waiting:500", "newcomer:50");
  }

  @Test
  void aDeclinedGrantGoesToTheNextWaiter() {
    budget.take(1000, waiter("holder", true));
    budget.take(600, waiter("gone", false));
    budget.take(600, waiter("alive", true));

    budget.giveBack(1000);

    assertThat(granted).containsExactly("alive:600");
    assertThat(budget.held()).isEqualTo(600);
    assertThat(budget.waiting()).isZero();
  }

  @Test
  void aShareLargerThanTheBudgetGoesWhenNothingElseIsHeld() {
    assertThat(budget.take(5000, waiter("big", true))).isTrue();
    budget.giveBack(5000);

    budget.take(10, waiter("small", true));
    assertThat(budget.take(5000, waiter("big", true))).isFalse();
    budget.giveBack(10);
    assertThat(granted).containsExactly("big:5000");
  }

  @Test
  void aWaiterMayGiveBackFromItsGrant() {
    budget.take(1000, waiter("holder", true));
    budget.take(1000, bytes -> {
      budget.giveBack(bytes); // closed between asking and the grant: hands it straight back
      return true;
    });
    budget.take(700, waiter("next", true));

    budget.giveBack(1000);

    assertThat(granted).containsExactly("next:700");
    assertThat(budget.held()).isEqualTo(700);
  }

  @Test
  void givingBackMoreThanIsHeldIsABug() {
    budget.take(10, waiter("a", true));
    assertThatThrownBy(() -> budget.giveBack(11)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theJvmBudgetIsHalfTheDirectMemoryAndNeverBelowTheMinimum() {
    assertThat(TlsSendBudget.jvm().capacity())
        .isEqualTo(Math.max(TlsSendBudget.MIN_CAPACITY, io.netty.util.internal.PlatformDependent.maxDirectMemory() / 2));
  }
}
