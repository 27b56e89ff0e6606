package dev.affinity.router.node;

import java.util.function.IntSupplier;

/** What the health endpoints report about this node. Shared by reference between the node's verticles. */
public final class NodeState {

  private volatile boolean ready;
  private volatile IntSupplier clusterSize = () -> 0;

  public boolean ready() {
    return ready;
  }

  public void ready(boolean ready) {
    this.ready = ready;
  }

  public int clusterSize() {
    return clusterSize.getAsInt();
  }

  public void clusterSize(IntSupplier clusterSize) {
    this.clusterSize = clusterSize;
  }
}
