package dev.affinity.router.tenancy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The cluster's counters for keys' and teams' limits: one Hazelcast map, every change an entry processor run on the
 * counter's partition owner, so all nodes count against one number (no Redis). A request's counters are charged
 * in one call (one round trip to each owner, in parallel); when one refuses, what the others took is given back.
 * A counter never passes its limit: a racing request may be refused that a slower count would have let in.
 */
public final class LimitCounters {

  public static final String MAP = "affinity.limits";
  private static final Logger LOG = Logger.getLogger(LimitCounters.class.getName());

  private final IMap<String, Long> counters;

  public LimitCounters(HazelcastInstance hazelcast) {
    this.counters = hazelcast.getMap(MAP);
  }

  /**
   * Takes every charge, or none: completes with the charge that refused (its limit reached), or null when all were
   * taken. Completes on {@code context}.
   */
  public Future<Charge> charge(List<Charge> charges, Context context) {
    if (charges.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, long[]> specs = new HashMap<>();
    Map<String, Charge> byCounter = new HashMap<>();
    for (Charge charge : charges) {
      specs.put(charge.counter(), new long[] {charge.limit(), charge.amount(), charge.ttlSeconds()});
      byCounter.put(charge.counter(), charge);
    }
    return Future.fromCompletionStage(counters.submitToKeys(specs.keySet(), new CounterCharge(specs)), context)
        .map(answers -> {
          Charge refused = null;
          for (Map.Entry<String, Long> answer : answers.entrySet()) {
            if (CounterCharge.refused(answer.getValue())) {
              refused = byCounter.get(answer.getKey());
            }
          }
          if (refused != null) {
            // give back what the others took: this request does not go ahead
            add(answers.entrySet().stream()
                .filter(answer -> !CounterCharge.refused(answer.getValue()))
                .map(answer -> byCounter.get(answer.getKey()))
                .filter(charge -> charge.amount() > 0)
                .map(charge -> new Charge(charge.counter(), 0, -charge.amount(), charge.ttlSeconds(), null, false))
                .toList());
          }
          return refused;
        });
  }

  /** Adds without a limit (usage after an answer, a parallel request given back); not waited for. */
  public void add(List<Charge> charges) {
    if (charges.isEmpty()) {
      return;
    }
    Map<String, long[]> specs = new HashMap<>();
    charges.forEach(charge -> specs.merge(charge.counter(), new long[] {0, charge.amount(), charge.ttlSeconds()},
        (a, b) -> new long[] {0, a[1] + b[1], Math.max(a[2], b[2])}));
    counters.submitToKeys(specs.keySet(), new CounterCharge(specs)).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.warning("could not count usage against limits: " + failure.getMessage());
      }
    });
  }

  /** A counter's value now (0 when absent). Completes on {@code context}. */
  public Future<Long> value(String counter, Context context) {
    return Future.fromCompletionStage(counters.getAsync(counter), context).map(value -> value == null ? 0 : value);
  }

  /** A counter's value now (0 when absent). Blocking. */
  long valueBlocking(String counter) {
    Long value = counters.get(counter);
    return value == null ? 0 : value;
  }

  /** Sets a counter unless it is there already (a cluster starting from the database). Blocking. */
  void seedBlocking(String counter, long value) {
    if (value > 0) {
      counters.putIfAbsent(counter, value);
    }
  }
}
