package dev.affinity.router.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.net.InetSocketAddress;

/**
 * A node's Hazelcast cluster manager, which tells the cluster the {@link EventBusFrameGuard}'s address in place of the
 * event bus's. Vert.x announces its event bus through {@link #setNodeInfo} once it listens (on loopback, for a
 * node): that is where the guard learns the port to relay to, starts on the cluster interface, and is announced
 * instead. Every member, gateway node or service, then reaches this node's event bus through the guard only. The
 * guard holds the cluster's members to their own cap of connections, not to the total that bounds all other hosts
 * ({@link PeerConnections}): a member is known by the address it has in Hazelcast's member list, which its
 * connections to the guard come from (both are its address on the cluster interface).
 */
final class GuardedClusterManager extends HazelcastClusterManager {

  private final String guardHost;
  private final long maxFrameBytes;
  private final EventBusTls tls;
  private volatile Vertx vertx;
  private volatile EventBusFrameGuard guard;

  GuardedClusterManager(Config config, String guardHost, long maxFrameBytes, EventBusTls tls) {
    super(config);
    this.guardHost = guardHost;
    this.maxFrameBytes = maxFrameBytes;
    this.tls = tls;
  }

  @Override
  public void init(Vertx vertx) {
    super.init(vertx);
    this.vertx = vertx;
  }

  @Override
  public void setNodeInfo(NodeInfo eventBus, Completable<Void> promise) {
    if (guard != null) {
      super.setNodeInfo(new NodeInfo(guardHost, guard.port(), eventBus.metadata()), promise);
      return;
    }
    EventBusFrameGuard.listen(vertx, guardHost, SocketAddress.inetSocketAddress(eventBus.port(), eventBus.host()),
        maxFrameBytes, tls, new PeerConnections(PeerConnections.MAX_PER_PEER, PeerConnections.MAX_TOTAL,
            this::isMember)).onComplete((started, failure) -> {
          if (failure != null) {
            promise.fail(new IllegalStateException("the event bus's frame guard cannot listen on " + guardHost
                + ": " + failure.getMessage(), failure));
            return;
          }
          guard = started;
          super.setNodeInfo(new NodeInfo(guardHost, started.port(), eventBus.metadata()), promise);
        });
  }

  /**
   * Whether {@code address} (an IP address, as the guard sees a peer's) is that of a member of the cluster now: the
   * member list is the Hazelcast instance's local view, read without a call to any other member.
   */
  boolean isMember(String address) {
    HazelcastInstance hazelcast = getHazelcastInstance();
    if (hazelcast == null) {
      return false;
    }
    for (Member member : hazelcast.getCluster().getMembers()) {
      InetSocketAddress at = member.getSocketAddress();
      if (at != null && at.getAddress() != null && at.getAddress().getHostAddress().equals(address)) {
        return true;
      }
    }
    return false;
  }

  /** The guard, once the event bus has started. */
  EventBusFrameGuard guard() {
    return guard;
  }
}
