package dev.affinity.router.cache;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HotPrefixSpreadTest {

  private static final List<String> SCOPES = List.of("a", "b", "c", "d");

  @Test
  void homeComesFirstAndTheSpreadIsBounded() {
    List<String> order = HotPrefixSpread.order("key-1", "c", SCOPES, 3);
    assertThat(order).hasSize(3).startsWith("c").doesNotHaveDuplicates().isSubsetOf(SCOPES);
    assertThat(HotPrefixSpread.order("key-1", "c", SCOPES, 1)).containsExactly("c");
    assertThat(HotPrefixSpread.order("key-1", "c", SCOPES, 10)).hasSize(4);
  }

  @Test
  void everyNodeRanksAPrefixTheSameWayWhateverTheOrderOfScopes() {
    assertThat(HotPrefixSpread.order("key-1", "a", List.of("d", "c", "b", "a"), 4))
        .isEqualTo(HotPrefixSpread.order("key-1", "a", SCOPES, 4));
  }

  @Test
  void differentPrefixesSpillToDifferentPlaces() {
    Set<String> seconds = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      seconds.add(HotPrefixSpread.order("key-" + i, "a", SCOPES, 2).get(1));
    }
    assertThat(seconds).containsExactlyInAnyOrder("b", "c", "d");
  }

  @Test
  void spillGoesToTheFirstWithHeadroomWithinTheSpreadOnly() {
    List<String> order = HotPrefixSpread.order("key-7", "a", SCOPES, 3);
    assertThat(HotPrefixSpread.spillTo("key-7", "a", SCOPES, 3, scope -> true)).hasValue(order.get(1));
    assertThat(HotPrefixSpread.spillTo("key-7", "a", SCOPES, 3, scope -> !scope.equals(order.get(1))))
        .hasValue(order.get(2));
    assertThat(HotPrefixSpread.spillTo("key-7", "a", SCOPES, 3, scope -> !order.contains(scope)))
        .as("the fourth is outside the spread").isEmpty();
    assertThat(HotPrefixSpread.spillTo("key-7", "a", SCOPES, 1, scope -> true)).isEmpty();
  }
}
