package dev.affinity.router.pins;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.affinity.router.routing.BackgroundCall;
import dev.affinity.router.routing.OwedUsage;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The cluster's {@link OwedUsage} (Hazelcast {@code IMap} named {@value #NAME}, configured in cluster.xml): response id
 * to the {@link BackgroundCall} that made it, as JSON, each entry expiring after {@link OwedUsage#KEPT}. A settlement
 * is a remove at the key's owner, so of two nodes reading the same finished response at once, one gets the call.
 */
public final class OwedUsageMap implements OwedUsage {

  public static final String NAME = "affinity.background";
  private static final Logger LOG = Logger.getLogger(OwedUsageMap.class.getName());

  private final IMap<String, Object> map;
  private final Predicate<String> knownDeployment;

  /** @param knownDeployment whether a deployment id read back is one of this node's configuration */
  public OwedUsageMap(HazelcastInstance hazelcast, Predicate<String> knownDeployment) {
    this.map = hazelcast.getMap(NAME);
    this.knownDeployment = knownDeployment;
  }

  @Override
  public void owe(String responseId, BackgroundCall call) {
    map.setAsync(responseId, call.encode(), KEPT.toSeconds(), TimeUnit.SECONDS).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.warning("request=" + call.pending().requestId() + " the usage of its background response will not be"
            + " booked: " + failure.getMessage());
      }
    });
  }

  @Override
  public CompletionStage<Boolean> owes(String responseId) {
    return map.getAsync(responseId).thenApply(value -> value != null);
  }

  @Override
  public CompletionStage<Optional<BackgroundCall>> settle(String responseId) {
    return map.removeAsync(responseId).thenApply(value -> {
      if (value == null) {
        return Optional.empty();
      }
      Optional<BackgroundCall> call = BackgroundCall.decode(value, knownDeployment);
      if (call.isEmpty()) {
        LOG.warning("a background response's call read from the cluster was not one this node writes: ignored");
      }
      return call;
    });
  }
}
