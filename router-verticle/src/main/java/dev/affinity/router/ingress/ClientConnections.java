package dev.affinity.router.ingress;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Connections each client address holds open on this node, shared by the node's HTTP verticles: past
 * {@code max_connections_per_client} a new one is closed at once, so that one client cannot take every socket.
 * An address is kept only while it has a connection open, so the map is bounded by the open connections.
 */
public final class ClientConnections {

  private final int maxPerClient;
  private final ConcurrentMap<String, Integer> open = new ConcurrentHashMap<>();

  public ClientConnections(int maxPerClient) {
    this.maxPerClient = maxPerClient;
  }

  /** Counts a connection from {@code address} in; false, counting nothing, when it already holds the maximum. */
  public boolean tryOpen(String address) {
    boolean[] admitted = {false};
    open.compute(address, (key, count) -> {
      int now = count == null ? 0 : count;
      if (now >= maxPerClient) {
        return count;
      }
      admitted[0] = true;
      return now + 1;
    });
    return admitted[0];
  }

  /** Counts out a connection {@link #tryOpen} counted in. */
  public void close(String address) {
    open.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
  }
}
