package dev.affinity.router.node;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame guard relayed every connection a host opened to the cluster port, each holding a connection to the event
 * bus: a host that reaches the port could open thousands of idle ones and take every file descriptor of the node. A
 * connection past the cap of its address, or past the guard's total, is now closed before a relay is made, and a
 * connection that ends, whichever side ends it, gives its slot back. Loopback only: {@code 127.0.0.2} and
 * {@code 127.0.0.3} stand for other hosts.
 */
class EventBusPeerConnectionsTest {

  private static final long MAX_FRAME = 1024;
  private Vertx vertx;
  /** A stand-in for the node's event bus: what each relayed connection brought, and which are open. */
  private final List<NetSocket> busSides = new CopyOnWriteArrayList<>();
  /** A new buffer on every read, so that the test's thread never reads one the bus is appending to. */
  private final List<AtomicReference<Buffer>> busReceived = new CopyOnWriteArrayList<>();
  private final AtomicInteger framesSent = new AtomicInteger();
  private final List<NetSocket> busOpen = new CopyOnWriteArrayList<>();
  /**
   * Held: the log manager keeps a logger only weakly, so one fetched here before the guard's class holds its own could
   * be collected with the capture on it, and the guard's lines would go past it (a CI run lost one that way).
   */
  private static final Logger GUARD_LOG = Logger.getLogger(EventBusFrameGuard.class.getName());
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(record);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    GUARD_LOG.addHandler(capture);
  }

  @AfterEach
  void stop() throws Exception {
    GUARD_LOG.removeHandler(capture);
    await(vertx.close());
  }

  private SocketAddress bus() throws Exception {
    NetServer server = vertx.createNetServer().connectHandler(socket -> {
      AtomicReference<Buffer> received = new AtomicReference<>(Buffer.buffer());
      busSides.add(socket);
      busReceived.add(received);
      busOpen.add(socket);
      socket.handler(bytes -> received.set(Buffer.buffer().appendBuffer(received.get()).appendBuffer(bytes)));
      socket.closeHandler(closed -> busOpen.remove(socket));
    });
    await(server.listen(0, "127.0.0.1"));
    return SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1");
  }

  private EventBusFrameGuard guard(SocketAddress bus, int maxPerPeer, int maxTotal) throws Exception {
    return await(EventBusFrameGuard.listen(vertx, "127.0.0.1", bus, MAX_FRAME, null,
        new PeerConnections(maxPerPeer, maxTotal)));
  }

  /** A connection to the guard from {@code from}, and whether it was closed, by either side. */
  private record Peer(NetSocket socket, Promise<Void> closed) {

    boolean open() {
      return !closed.future().isComplete();
    }
  }

  private Peer connect(EventBusFrameGuard guard, String from) throws Exception {
    Promise<Peer> connected = Promise.promise();
    // on an event loop, so that the close handler is in place before the node's close can arrive
    vertx.getOrCreateContext().runOnContext(v -> vertx.createNetClient(new NetClientOptions().setLocalAddress(from))
        .connect(guard.port(), "127.0.0.1").onComplete(opened -> {
          if (opened.failed()) {
            connected.fail(opened.cause());
            return;
          }
          Promise<Void> closed = Promise.promise();
          opened.result().closeHandler(c -> closed.tryComplete());
          connected.complete(new Peer(opened.result(), closed));
        }));
    return await(connected.future());
  }

  /** {@code count} connections from {@code from}, each relayed to the bus before the next is opened. */
  private List<Peer> relayed(EventBusFrameGuard guard, String from, int count) throws Exception {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int before = busSides.size();
      peers.add(connect(guard, from));
      eventually(() -> busSides.size() == before + 1, "the guard relays connection " + (i + 1) + " from " + from);
    }
    return peers;
  }

  /** A connection over a cap: the node closes it, and no relay is made for it. */
  private void refused(EventBusFrameGuard guard, String from) throws Exception {
    int relays = busSides.size();
    Peer peer = connect(guard, from);
    try {
      peer.closed().future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (TimeoutException stillOpen) {
      throw new AssertionError("a connection from " + from + " over a cap is still open after 10 s, relayed: "
          + (busSides.size() > relays));
    }
    assertThat(busSides).as("relays made for a connection from %s over a cap", from).hasSize(relays);
  }

  /** Each peer sends a frame of its own, and the bus receives each one, whole. */
  private void framesRelayed(List<Peer> peers) throws Exception {
    Set<Buffer> sent = new HashSet<>();
    for (Peer peer : peers) {
      String body = String.format("frame-%05d", framesSent.incrementAndGet());
      Buffer frame = Buffer.buffer().appendInt(body.length()).appendString(body);
      sent.add(frame);
      await(peer.socket().write(frame));
    }
    eventually(() -> busReceived.stream().map(AtomicReference::get).filter(sent::contains).count() == sent.size(),
        "the bus receives each of " + sent.size() + " frames");
  }

  @Test
  @Timeout(60)
  void connectionsPastTheCapOfOneAddressAreClosedWhileTheOthersStillRelay() throws Exception {
    EventBusFrameGuard guard = guard(bus(), 4, 100);
    List<Peer> admitted = relayed(guard, "127.0.0.1", 4);
    for (int i = 0; i < 3; i++) {
      refused(guard, "127.0.0.1");
    }
    assertThat(busOpen).hasSize(4);
    assertThat(admitted).allMatch(Peer::open);
    framesRelayed(admitted);
    assertThat(guard.connections().open("127.0.0.1")).isEqualTo(4);

    // the cap is the address's, not everyone's
    framesRelayed(relayed(guard, "127.0.0.2", 1));

    // one line for the first refusal, naming the address; the next two wait for the next line (10 s on)
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getMessage()).contains("refused 1 connection,").contains("from 127.0.0.1")
        .contains("which holds 4");
  }

  @Test
  @Timeout(60)
  void anUnreachableEventBusIsWarnedOfOncePerIntervalWithTheConnectionsClosedInBetween() throws Exception {
    // the node's event bus is not listening: every connection is closed, a peer reconnecting in a loop must not
    // write a line each time
    NetServer gone = vertx.createNetServer().connectHandler(NetSocket::close);
    await(gone.listen(0, "127.0.0.1"));
    SocketAddress bus = SocketAddress.inetSocketAddress(gone.actualPort(), "127.0.0.1");
    await(gone.close());
    EventBusFrameGuard guard = await(EventBusFrameGuard.listen(vertx, "127.0.0.1", bus, MAX_FRAME, null,
        new PeerConnections(100, 100, TimeUnit.SECONDS.toNanos(2),
        PeerConnections.QUIET_LIMIT_MILLIS)));

    for (int i = 0; i < 5; i++) {
      Peer peer = connect(guard, "127.0.0.1");
      peer.closed().future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertThat(warnings).as("one line for five connections within the interval").hasSize(1);
    assertThat(warnings.get(0).getMessage()).contains("cannot reach this node's event bus");
    Thread.sleep(2_100);
    Peer next = connect(guard, "127.0.0.1");
    next.closed().future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    eventually(() -> warnings.size() == 2, "the next line, after the interval");
    assertThat(warnings.get(1).getMessage()).contains("4 more connection(s) closed for the same reason");
  }

  @Test
  @Timeout(60)
  void refusalsHeldBackByTheIntervalAreCountedInTheNextWarning() throws Exception {
    SocketAddress bus = bus();
    EventBusFrameGuard guard = await(EventBusFrameGuard.listen(vertx, "127.0.0.1", bus, MAX_FRAME, null,
        new PeerConnections(1, 100, TimeUnit.SECONDS.toNanos(2),
        PeerConnections.QUIET_LIMIT_MILLIS)));
    relayed(guard, "127.0.0.1", 1);
    for (int i = 0; i < 4; i++) {
      refused(guard, "127.0.0.1");
    }
    assertThat(warnings).hasSize(1);
    eventually(() -> warnings.size() == 2, "the refusals held back are reported when the interval has passed");
    assertThat(warnings.get(1).getMessage()).contains("refused 3 connections since the last warning")
        .contains("from 127.0.0.1, which holds 1 (1 in all)");
    Thread.sleep(3_000);
    assertThat(warnings).as("nothing refused since: no line").hasSize(2);
  }

  @Test
  @Timeout(60)
  void aConnectionEndedBySomeSideGivesItsSlotBack() throws Exception {
    EventBusFrameGuard guard = guard(bus(), 2, 100);
    List<Peer> admitted = relayed(guard, "127.0.0.1", 2);
    refused(guard, "127.0.0.1");

    // the peer closes one: its relay is closed, and a new connection takes its slot
    await(admitted.get(0).socket().close());
    eventually(() -> busOpen.size() == 1, "the guard closes the relay of the connection the peer closed");
    eventually(() -> guard.connections().open("127.0.0.1") == 1, "the guard gives back the peer's slot");
    Peer second = relayed(guard, "127.0.0.1", 1).get(0);
    refused(guard, "127.0.0.1");

    // the event bus closes one: the guard closes the peer's connection, and a new one takes its slot
    NetSocket busSide = busSides.get(busSides.size() - 1);
    await(busSide.close());
    await(second.closed().future());
    eventually(() -> guard.connections().open("127.0.0.1") == 1, "the guard gives back the slot the bus closed");
    List<Peer> now = new ArrayList<>(relayed(guard, "127.0.0.1", 1));
    now.add(admitted.get(1));
    refused(guard, "127.0.0.1");
    framesRelayed(now);
    assertThat(guard.connections().total()).isEqualTo(2);
  }

  @Test
  @Timeout(60)
  void aConnectionThatSendsNothingPastTheQuietLimitIsClosedAndGivesItsSlotBack() throws Exception {
    EventBusFrameGuard guard = await(EventBusFrameGuard.listen(vertx, "127.0.0.1", bus(), MAX_FRAME, null,
        new PeerConnections(2, 100, PeerConnections.WARNING_INTERVAL_NANOS, 1_000)));
    // a live member pings on its connection (here a frame every 200 ms); a crashed host's connection falls silent
    Peer live = relayed(guard, "127.0.0.1", 1).get(0);
    long pings = vertx.setPeriodic(200, tick -> live.socket().write(Buffer.buffer().appendInt(4).appendString("ping")));
    Peer silent = relayed(guard, "127.0.0.1", 1).get(0);
    refused(guard, "127.0.0.1");

    try {
      silent.closed().future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (TimeoutException stillOpen) {
      throw new AssertionError("a connection that sent nothing for 10 s is still open, holding its slot");
    }
    eventually(() -> busOpen.size() == 1, "the guard closes the silent connection's relay");
    // another second of quiet for the other: the pings keep it
    Thread.sleep(1_500);
    assertThat(live.open()).as("the connection that pings").isTrue();
    // the silent one's slot is free again
    Peer next = relayed(guard, "127.0.0.1", 1).get(0);
    framesRelayed(List.of(next));
    vertx.cancelTimer(pings);
    assertThat(live.open()).as("the connection that pinged, at the end").isTrue();
  }

  @Test
  @Timeout(60)
  void aRelayThatCannotConnectGivesTheSlotBack() throws Exception {
    int closedPort;
    try (ServerSocket taken = new ServerSocket(0)) {
      closedPort = taken.getLocalPort();
    }
    EventBusFrameGuard guard = guard(SocketAddress.inetSocketAddress(closedPort, "127.0.0.1"), 2, 2);
    for (int i = 0; i < 5; i++) {
      int n = i + 1;
      Peer peer = connect(guard, "127.0.0.1");
      await(peer.closed().future());
      // counted out when the relay failed: without that, the third would be refused as over the cap
      eventually(() -> guard.connections().total() == 0, "the slot of connection " + n + " is given back");
    }
    // one line: the other four came within the warning interval, which the next line would count
    assertThat(warnings).as("every one was refused for the bus, none for the cap")
        .allMatch(line -> line.getMessage().contains("cannot reach this node's event bus")).hasSize(1);
  }

  @Test
  @Timeout(60)
  void allPeersTogetherStopAtTheTotalCap() throws Exception {
    EventBusFrameGuard guard = guard(bus(), 4, 6);
    List<Peer> first = relayed(guard, "127.0.0.1", 4);
    List<Peer> second = relayed(guard, "127.0.0.2", 2);
    refused(guard, "127.0.0.2");
    refused(guard, "127.0.0.3");
    assertThat(busOpen).hasSize(6);

    await(first.get(0).socket().close());
    eventually(() -> guard.connections().total() == 5, "the guard gives back a slot of the total");
    List<Peer> third = relayed(guard, "127.0.0.3", 1);
    List<Peer> open = new ArrayList<>(first.subList(1, 4));
    open.addAll(second);
    open.addAll(third);
    framesRelayed(open);
  }

  /**
   * Hosts that only reach the port, with as many addresses as they like, filled the total and kept every member out:
   * the cluster's event bus was theirs to take down. A member's address is not held to the total, only to its own cap.
   */
  @Test
  @Timeout(60)
  void strangersFillingTheTotalDoNotKeepAMemberOut() throws Exception {
    EventBusFrameGuard guard = await(EventBusFrameGuard.listen(vertx, "127.0.0.1", bus(), MAX_FRAME, null,
        new PeerConnections(4, 6, peer -> peer.equals("127.0.0.1"))));
    List<Peer> strangers = new ArrayList<>(relayed(guard, "127.0.0.2", 4));
    strangers.addAll(relayed(guard, "127.0.0.3", 2));
    refused(guard, "127.0.0.4");

    List<Peer> member = relayed(guard, "127.0.0.1", 4);
    refused(guard, "127.0.0.1");
    assertThat(guard.connections().total()).isEqualTo(10);
    framesRelayed(member);
    framesRelayed(strangers);
    refused(guard, "127.0.0.5");
  }

  @Test
  @Timeout(60)
  void theNodesGuardHoldsSixtyFourPerAddress() throws Exception {
    EventBusFrameGuard guard = await(EventBusFrameGuard.listen(vertx, "127.0.0.1", bus(), MAX_FRAME, null));
    List<Peer> admitted = relayed(guard, "127.0.0.1", 64);
    refused(guard, "127.0.0.1");
    framesRelayed(List.of(admitted.get(0), admitted.get(63)));
    assertThat(admitted).allMatch(Peer::open);
  }

  @Test
  void refusalsMakeOneWarningPerTenSecondsWithTheirCount() {
    PeerConnections connections = new PeerConnections(1, 10);
    long second = TimeUnit.SECONDS.toNanos(1);
    assertThat(connections.tryOpen("10.0.0.7")).isTrue();
    assertThat(connections.warning(0)).as("nothing refused yet").isNull();
    assertThat(connections.tryOpen("10.0.0.7")).isFalse();
    assertThat(connections.warning(0)).contains("refused 1 connection,").contains("from 10.0.0.7, which holds 1");
    for (int i = 0; i < 3; i++) {
      assertThat(connections.tryOpen("10.0.0.7")).isFalse();
      assertThat(connections.warning(i * second)).isNull();
    }
    assertThat(connections.scheduleWarning()).as("a timer for the refusals held back").isTrue();
    assertThat(connections.scheduleWarning()).as("one is pending").isFalse();
    assertThat(connections.warning(9 * second)).isNull();
    connections.warningTimerFired();
    assertThat(connections.warning(10 * second)).contains("refused 3 connections since the last warning");
    assertThat(connections.warning(30 * second)).as("nothing refused since").isNull();
    assertThat(connections.scheduleWarning()).as("nothing held back: no timer").isFalse();
    assertThat(connections.tryOpen("10.0.0.8")).isTrue();
    connections.close("10.0.0.7");
    connections.close("10.0.0.8");
    assertThat(connections.total()).isZero();
    assertThat(connections.open("10.0.0.7")).isZero();
  }

  private static void eventually(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
