package dev.affinity.router.node;

import dev.affinity.router.observe.GatewayMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.function.Supplier;

/**
 * What this node is doing: whether it is ready or draining, and how many client requests it is serving. Shared by
 * reference between the node's verticles (the HTTP verticle runs one instance per core), so every field is safe to
 * touch from any thread.
 */
public final class NodeState {

  private volatile boolean ready;
  private volatile boolean draining;
  private volatile Supplier<List<String>> clusterMembers = List::of;
  private volatile GatewayMetrics metrics;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** @param maxInFlight client requests served at once; more are refused until one ends */
  public NodeState(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    this.maxInFlight = maxInFlight;
  }

  public boolean ready() {
    return ready;
  }

  public void ready(boolean ready) {
    this.ready = ready;
  }

  /** Stopping: not ready, refusing new requests, waiting for those in flight. */
  public boolean draining() {
    return draining;
  }

  void draining(boolean draining) {
    this.draining = draining;
    if (draining) {
      ready = false;
    }
  }

  public int clusterSize() {
    return clusterMembers.get().size();
  }

  /** Ids of the cluster members this node sees, itself included. */
  public List<String> clusterMembers() {
    return clusterMembers.get();
  }

  public void clusterMembers(Supplier<List<String>> clusterMembers) {
    this.clusterMembers = clusterMembers;
  }

  /** The node's metrics, which every verticle books into; set before the verticles are deployed. */
  public GatewayMetrics metrics() {
    return metrics;
  }

  public void metrics(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  /** Client requests begun and not yet answered in full (a stream counts until its last byte). */
  public int inFlight() {
    return inFlight.get();
  }

  /** Counts a request in; false, counting nothing, when the node already serves as many as it may. */
  public boolean tryAdmit() {
    while (true) {
      int now = inFlight.get();
      if (now >= maxInFlight) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Counts out a request {@link #tryAdmit} counted in; exactly once per admitted request. */
  public void release() {
    inFlight.decrementAndGet();
  }
}
