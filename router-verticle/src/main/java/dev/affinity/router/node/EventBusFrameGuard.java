package dev.affinity.router.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What a node's event bus shows the cluster: a listener on the cluster interface, announced in the event bus's place,
 * that relays each connection to the event bus itself (bound to loopback) and reads every frame's declared length as
 * the bytes pass. Vert.x's event bus buffers whatever length a frame declares (2 GiB from a single peer) and has no
 * setting that bounds it; here a connection that declares more than {@code maxFrameBytes} is closed before a byte of
 * that frame is relayed. Nothing is buffered beyond the relay's write queue, and each direction pauses its source
 * while the other side's queue is full. With the cluster's TLS, the guard is where a peer's TLS ends: it requires a
 * certificate the cluster's CA signed, as the event bus does, and reaches the event bus over TLS with this member's
 * own certificate (docs/security.md, "The event bus: frame-size limit"). A peer address holds at most
 * {@link PeerConnections#MAX_PER_PEER} connections open, all peers {@link PeerConnections#MAX_TOTAL}: one past a cap
 * is closed before a relay is opened for it, and one that sends nothing for {@link PeerConnections#QUIET_LIMIT_MILLIS}
 * is closed.
 */
public final class EventBusFrameGuard {

  private static final Logger LOG = Logger.getLogger(EventBusFrameGuard.class.getName());

  private final Vertx vertx;
  private final NetServer server;
  private final NetClient relay;
  private final SocketAddress eventBus;
  private final long maxFrameBytes;
  private final PeerConnections connections;
  // the event bus unreachable: one line per warning interval, the next one counting the connections closed since
  private final WarningPace unreachable;
  private int unreachableHeld;

  private EventBusFrameGuard(Vertx vertx, NetServer server, NetClient relay, SocketAddress eventBus,
                             long maxFrameBytes, PeerConnections connections) {
    this.vertx = vertx;
    this.server = server;
    this.relay = relay;
    this.eventBus = eventBus;
    this.maxFrameBytes = maxFrameBytes;
    this.connections = connections;
    this.unreachable = new WarningPace(connections.warningIntervalNanos());
  }

  /**
   * Listens on {@code host}, any free port, relaying to {@code eventBus}.
   *
   * @param tls the cluster's mutual TLS, or null for none
   */
  static Future<EventBusFrameGuard> listen(Vertx vertx, String host, SocketAddress eventBus, long maxFrameBytes,
                                           EventBusTls tls) {
    return listen(vertx, host, eventBus, maxFrameBytes, tls,
        new PeerConnections(PeerConnections.MAX_PER_PEER, PeerConnections.MAX_TOTAL));
  }

  /** As {@link #listen(Vertx, String, SocketAddress, long, EventBusTls)}, with caps of the caller's. */
  static Future<EventBusFrameGuard> listen(Vertx vertx, String host, SocketAddress eventBus, long maxFrameBytes,
                                           EventBusTls tls, PeerConnections connections) {
    // a peer's connection that sends nothing, not even the event bus's pings, is one whose host is gone
    NetServerOptions serverOptions = new NetServerOptions()
        .setReadIdleTimeout(Math.toIntExact(connections.quietLimitMillis())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    // members announce addresses, not names: as the event bus's own client, no host name check
    NetClientOptions relayOptions = new NetClientOptions().setHostnameVerificationAlgorithm("");
    if (tls != null) {
      tls.applyTo(serverOptions);
      tls.applyTo(relayOptions);
    }
    EventBusFrameGuard guard = new EventBusFrameGuard(vertx, vertx.createNetServer(serverOptions),
        vertx.createNetClient(relayOptions), eventBus, maxFrameBytes, connections);
    guard.server.connectHandler(guard::admit);
    return guard.server.listen(0, host).map(listening -> guard);
  }

  /** The port the guard listens on, which the cluster knows as this node's event bus. */
  public int port() {
    return server.actualPort();
  }

  /** The largest frame a peer may send, its 4-byte length not counted. */
  public long maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The connections peers hold open through this guard. */
  PeerConnections connections() {
    return connections;
  }

  /** A new connection: relayed while its address and the guard are under their caps, else closed at once. */
  private void admit(NetSocket peer) {
    String address = peer.remoteAddress() == null ? "unknown" : peer.remoteAddress().hostAddress();
    if (!connections.tryOpen(address)) {
      peer.close();
      warnOfRefusals();
      return;
    }
    relay(peer, address);
  }

  /** At most one line per interval, with the count since the last: a flood of connections is not one of lines. */
  private void warnOfRefusals() {
    String line = connections.warning(System.nanoTime());
    if (line != null) {
      LOG.warning(line);
    } else if (connections.scheduleWarning()) {
      // refusals held back are reported when the interval has passed, even if no other connection comes
      vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(connections.warningIntervalNanos())), fired -> {
        connections.warningTimerFired();
        warnOfRefusals();
      });
    }
  }

  private void relay(NetSocket peer, String address) {
    // nothing is read until the event bus's side is open: the bytes wait in the kernel, not here
    peer.pause();
    boolean[] peerClosed = {false};
    NetSocket[] relayed = {null};
    // every way a relayed connection ends closes the peer's socket (the relay's close, a refused frame, a relay that
    // could not connect), so its slot is given back here, and only here
    peer.closeHandler(closed -> {
      if (peerClosed[0]) {
        return;
      }
      peerClosed[0] = true;
      connections.close(address);
      if (relayed[0] != null) {
        relayed[0].close();
      }
    });
    peer.exceptionHandler(failure -> peer.close());
    relay.connect(eventBus).onComplete(connected -> {
      if (connected.succeeded() && peerClosed[0]) {
        connected.result().close();
        return;
      }
      if (connected.failed()) {
        warnUnreachable(connected.cause(), peer.remoteAddress());
        peer.close();
        return;
      }
      NetSocket bus = connected.result();
      relayed[0] = bus;
      FrameLengths frames = new FrameLengths(maxFrameBytes);
      bus.closeHandler(closed -> peer.close());
      bus.exceptionHandler(failure -> bus.close());
      peer.handler(bytes -> {
        if (!frames.pass(bytes)) {
          LOG.warning("event-bus guard: closed the connection from " + peer.remoteAddress() + ": it declared a "
              + frames.refusedLength() + "-byte frame, the limit is " + maxFrameBytes);
          peer.handler(null);
          peer.close();
          bus.close();
          return;
        }
        forward(bytes, peer, bus);
      });
      // the event bus only ever answers pings (one byte each): nothing to read there, only to relay
      bus.handler(bytes -> forward(bytes, bus, peer));
      peer.resume();
    });
  }

  /**
   * At most one line per warning interval while this node's event bus cannot be reached: a peer that reconnects in a
   * loop must not fill the log. The next line says how many connections were closed for it in between.
   */
  private synchronized void warnUnreachable(Throwable cause, SocketAddress from) {
    if (!unreachable.due(System.nanoTime())) {
      unreachableHeld++;
      return;
    }
    LOG.warning("event-bus guard: cannot reach this node's event bus at " + eventBus + " (" + cause.getMessage()
        + "); closing the connection from " + from + (unreachableHeld == 0 ? ""
        : "; " + unreachableHeld + " more connection(s) closed for the same reason since the last warning"));
    unreachableHeld = 0;
  }

  /** Writes {@code bytes} read from {@code from} to {@code to}, pausing {@code from} while {@code to}'s queue is full. */
  private static void forward(Buffer bytes, NetSocket from, NetSocket to) {
    to.write(bytes);
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(drained -> from.resume());
    }
  }
}
