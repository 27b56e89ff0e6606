package dev.affinity.router.node;

import io.vertx.core.eventbus.EventBusOptions;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The connections that peers hold open through a node's {@link EventBusFrameGuard}: at most {@code maxPerPeer} from
 * one remote address and {@code maxTotal} in all, so that a host that reaches the cluster port cannot take every file
 * descriptor of the node with idle connections (each holds three: the peer's, the relay's and the event bus's side of
 * it). A member opens one connection to each node it sends to, and another while it reconnects. The total does not
 * bind the addresses of the cluster's members: hosts that only reach the port (with many addresses, an IPv6 prefix,
 * say) could otherwise fill it and keep every member out, which is the cluster's event bus taken down; a member's
 * address is still held to its own cap. The refusals are
 * reported as at most one warning per {@link #WARNING_INTERVAL_NANOS}, counting those since the previous one.
 * Synchronized, though a guard's server runs every connection's handlers on the one context that called listen (its
 * port is its own, never shared, so Vert.x gives it one event loop: in a node, the event bus's): uncontended, it
 * costs nothing, and a guard listened on from several event loops would still count right.
 */
final class PeerConnections {

  /**
   * Connections one address may hold open: a member holds one to this node, two while it reconnects, so some thirty
   * members on one host or behind one address (a NAT) fit before it is met.
   */
  static final int MAX_PER_PEER = 64;
  /** Connections all peers together may hold open: a cluster of thousands of members before it is met. */
  static final int MAX_TOTAL = 4096;
  static final long WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  /**
   * A connection from which nothing is read for this long is closed, giving its slot back: a live member sends a ping
   * on each of its connections every 20 s (Vert.x's cluster ping), so only one whose host is gone without a word (a
   * crash, a cut cable: no FIN ever comes) stays this quiet, and it would otherwise hold its slot for good.
   */
  static final long QUIET_LIMIT_MILLIS = 3 * EventBusOptions.DEFAULT_CLUSTER_PING_INTERVAL;

  private final int maxPerPeer;
  private final int maxTotal;
  private final long warningIntervalNanos;
  private final long quietLimitMillis;
  /** Whether an address is a cluster member's, read when the total is met: members are not held to it. */
  private final Predicate<String> members;
  /** Only the addresses that hold a connection: bounded by the open connections. */
  private final Map<String, Integer> open = new HashMap<>();
  private int total;
  private final WarningPace pace;
  private long refused;
  private String lastRefused;
  private boolean warningScheduled;

  PeerConnections(int maxPerPeer, int maxTotal) {
    this(maxPerPeer, maxTotal, peer -> false);
  }

  /** @param members whether an address is a cluster member's (see the class comment) */
  PeerConnections(int maxPerPeer, int maxTotal, Predicate<String> members) {
    this(maxPerPeer, maxTotal, members, WARNING_INTERVAL_NANOS, QUIET_LIMIT_MILLIS);
  }

  /** With warnings at most once per {@code warningIntervalNanos}, and a quiet limit: a test's short ones. */
  PeerConnections(int maxPerPeer, int maxTotal, long warningIntervalNanos, long quietLimitMillis) {
    this(maxPerPeer, maxTotal, peer -> false, warningIntervalNanos, quietLimitMillis);
  }

  private PeerConnections(int maxPerPeer, int maxTotal, Predicate<String> members, long warningIntervalNanos,
                          long quietLimitMillis) {
    if (maxPerPeer < 1 || maxTotal < 1 || warningIntervalNanos < 1 || quietLimitMillis < 1) {
      throw new IllegalArgumentException("the connection caps, the warning interval and the quiet limit must be"
          + " positive");
    }
    this.maxPerPeer = maxPerPeer;
    this.maxTotal = maxTotal;
    this.members = members;
    this.warningIntervalNanos = warningIntervalNanos;
    this.quietLimitMillis = quietLimitMillis;
    this.pace = new WarningPace(warningIntervalNanos);
  }

  /** How long a connection may send nothing before it is closed (see {@link #QUIET_LIMIT_MILLIS}). */
  long quietLimitMillis() {
    return quietLimitMillis;
  }

  long warningIntervalNanos() {
    return warningIntervalNanos;
  }

  /**
   * Counts a connection from {@code peer} in; false, counting only the refusal, when a cap is met: its address's, or
   * the total unless the address is a member's.
   */
  synchronized boolean tryOpen(String peer) {
    int held = open.getOrDefault(peer, 0);
    if (held >= maxPerPeer || total >= maxTotal && !members.test(peer)) {
      refused++;
      lastRefused = peer;
      return false;
    }
    open.put(peer, held + 1);
    total++;
    return true;
  }

  /** Counts out a connection that {@link #tryOpen} counted in: once per connection. */
  synchronized void close(String peer) {
    Integer held = open.get(peer);
    if (held == null) {
      throw new IllegalStateException("no connection from " + peer + " is counted");
    }
    if (held == 1) {
      open.remove(peer);
    } else {
      open.put(peer, held - 1);
    }
    total--;
  }

  synchronized int open(String peer) {
    return open.getOrDefault(peer, 0);
  }

  synchronized int total() {
    return total;
  }

  /**
   * The warning about the connections refused since the previous one, when there are some and the previous one is at
   * least {@link #warningIntervalNanos()} old; else null, and the refusals wait for the next.
   */
  synchronized String warning(long nowNanos) {
    boolean warnedBefore = pace.warned();
    if (refused == 0 || !pace.due(nowNanos)) {
      return null;
    }
    String line = "event-bus guard: refused " + refused + (refused == 1 ? " connection" : " connections")
        + (warnedBefore ? " since the last warning" : "") + ", over the cap of " + maxPerPeer
        + " open per peer address or " + maxTotal + " in all; the latest from " + lastRefused + ", which holds "
        + open(lastRefused) + " (" + total + " in all)";
    refused = 0;
    return line;
  }

  /**
   * Whether the caller should set the timer that reports refusals held back by {@link #warning}: when some are held
   * and no such timer is pending.
   */
  synchronized boolean scheduleWarning() {
    if (warningScheduled || refused == 0) {
      return false;
    }
    warningScheduled = true;
    return true;
  }

  /** That timer fired: refusals still held back (a warning came between) may set another. */
  synchronized void warningTimerFired() {
    warningScheduled = false;
  }
}
