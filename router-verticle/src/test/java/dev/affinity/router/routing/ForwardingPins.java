package dev.affinity.router.routing;

import dev.affinity.router.pins.InMemoryPinStore;
import dev.affinity.router.pins.PinStore;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** An in-memory pin store, every call passed on: the stores the policy tests make change only what they override. */
abstract class ForwardingPins implements PinStore {

  final InMemoryPinStore applied = new InMemoryPinStore();

  @Override
  public Found read(Collection<String> keys) {
    return applied.read(keys);
  }

  @Override
  public CompletionStage<Found> write(Map<Write, Set<String>> writes) {
    return applied.write(writes);
  }

  @Override
  public List<PinView> list(int limit) {
    return applied.list(limit);
  }

  @Override
  public int size() {
    return applied.size();
  }

  @Override
  public int ownedHere() {
    return applied.ownedHere();
  }

  @Override
  public long pinsOf(String tenant) {
    return applied.pinsOf(tenant);
  }

  @Override
  public void clear() {
    applied.clear();
  }
}
