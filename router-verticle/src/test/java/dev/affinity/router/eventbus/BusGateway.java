package dev.affinity.router.eventbus;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;

import java.util.UUID;
import java.util.function.UnaryOperator;

import static dev.affinity.router.TestGateway.await;

/**
 * A node with the event-bus API on and a master key, its upstream emulated (one account, {@code sk-acct}), and a
 * second clustered Vert.x instance, the member that calls it.
 */
final class BusGateway implements AutoCloseable {

  final UpstreamEmulator emulator;
  final TestGateway gateway;
  final Vertx member;
  private final Vertx upstreamVertx;

  private BusGateway(Vertx upstreamVertx, UpstreamEmulator emulator, TestGateway gateway, Vertx member) {
    this.upstreamVertx = upstreamVertx;
    this.emulator = emulator;
    this.gateway = gateway;
    this.member = member;
  }

  /** @param modelList the {@code model_list} YAML for the emulator's base URL */
  static BusGateway start(String masterKey, int outputTokens, UnaryOperator<String> modelList) throws Exception {
    Vertx upstreamVertx = Vertx.vertx();
    UpstreamEmulator emulator = await(UpstreamEmulator.start(upstreamVertx, new EmulatorOptions()
        .setLatency(LatencyModel.ZERO).setDefaultOutputTokens(outputTokens).addAccount("acct", "sk-acct")));
    String cluster = "eventbus-" + UUID.randomUUID();
    TestGateway gateway = TestGateway.start("general_settings: {master_key: " + masterKey + "}\n"
        + "server_settings: {event_bus_api: true}\n" + modelList.apply(emulator.baseUrl()), cluster);
    return new BusGateway(upstreamVertx, emulator, gateway, TestGateway.clusterMember(cluster));
  }

  @Override
  public void close() throws Exception {
    await(member.close());
    gateway.close();
    await(emulator.close());
    await(upstreamVertx.close());
  }
}
