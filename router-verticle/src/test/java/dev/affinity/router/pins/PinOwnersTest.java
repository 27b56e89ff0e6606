package dev.affinity.router.pins;

import dev.affinity.router.cache.CacheTtl;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A pin's several owners, through the same rules every store applies ({@link PinValue#after}). */
class PinOwnersTest {

  private final InMemoryPinStore pins = new InMemoryPinStore();

  private PinStore.Found add(String key, String scope) throws Exception {
    return pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.ADD_OWNER, scope, null, 300, 0), Set.of(key)))
        .toCompletableFuture().get();
  }

  @Test
  void aPinCanHaveSeveralOwnersAndAFailedOneIsReplacedWhereItStood() throws Exception {
    add("k", "a");
    PinStore.Found second = add("k", "b");
    assertThat(second.allOwners().get("k")).containsExactly("a", "b");
    assertThat(second.ownersSeenBy("b")).as("a write answers from its writer's side").containsEntry("k", "b");
    assertThat(add("k", "b").allOwners().get("k")).as("no owner twice").containsExactly("a", "b");

    PinStore.Found read = pins.read(List.of("k"));
    assertThat(read.owners()).as("a read names the first owner").containsEntry("k", "a");
    assertThat(read.allOwners().get("k")).containsExactly("a", "b");

    PinStore.Found moved = pins.repoint(Map.of("k", CacheTtl.FIVE_MINUTES), "a", "c").toCompletableFuture().get();
    assertThat(moved.allOwners().get("k")).containsExactly("c", "b");
    PinStore.Found notStale = pins.repoint(Map.of("k", CacheTtl.FIVE_MINUTES), "a", "d").toCompletableFuture().get();
    assertThat(notStale.allOwners().get("k")).as("compare-and-set: 'a' is gone").containsExactly("c", "b");
  }

  @Test
  void aPinOfOneOwnerIsEncodedAsBeforeAndCoOwnersRoundTrip() {
    PinValue one = new PinValue("dep", 42, 1_000);
    assertThat(PinValue.parse(one.encode())).isEqualTo(one);
    assertThat(one.encode()).isEqualTo("dep\u000142\u00011000");
    PinValue two = new PinValue("dep", 0, 1_000, List.of("other"));
    assertThat(PinValue.parse(two.encode())).isEqualTo(two);
    assertThat(PinValue.scopeOf(two.encode())).isEqualTo("dep");
    assertThat(PinValue.parse("dep\u00010\u00011000\u0001dep\u0003x\u0003x").coOwners())
        .as("a value read from the map is cleaned of duplicates").containsExactly("x");
  }
}
