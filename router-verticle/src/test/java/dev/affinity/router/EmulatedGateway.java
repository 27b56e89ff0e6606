package dev.affinity.router;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static dev.affinity.router.TestGateway.await;

/**
 * A gateway node in this JVM in front of an upstream emulator of its own (zero latency), as the tests of real clients
 * start them: the emulator's accounts, then a configuration whose deployments point at it.
 */
public final class EmulatedGateway implements AutoCloseable {

  private final Vertx vertx;
  private final UpstreamEmulator emulator;
  private final TestGateway gateway;

  private EmulatedGateway(Vertx vertx, UpstreamEmulator emulator, TestGateway gateway) {
    this.vertx = vertx;
    this.emulator = emulator;
    this.gateway = gateway;
  }

  /**
   * @param accounts the emulator's accounts: name → API key
   * @param config   the gateway's configuration (YAML), given the emulator's base URL
   */
  public static EmulatedGateway start(Map<String, String> accounts, Function<String, String> config)
      throws Exception {
    return start(accounts, options -> options, config);
  }

  /**
   * @param accounts the emulator's accounts: name → API key
   * @param more     the emulator's other accounts (AWS, Vertex AI)
   * @param config   the gateway's configuration (YAML), given the emulator's base URL
   */
  public static EmulatedGateway start(Map<String, String> accounts, UnaryOperator<EmulatorOptions> more,
                                      Function<String, String> config) throws Exception {
    Vertx vertx = Vertx.vertx();
    EmulatorOptions options = more.apply(new EmulatorOptions().setLatency(LatencyModel.ZERO));
    accounts.forEach(options::addAccount);
    UpstreamEmulator emulator = await(UpstreamEmulator.start(vertx, options));
    return new EmulatedGateway(vertx, emulator, TestGateway.start(config.apply(emulator.baseUrl())));
  }

  /**
   * @param masterKey the gateway's {@code master_key}
   * @param modelList the {@code model_list} entries (YAML list items, indented by two), given the emulator's base URL
   */
  public static EmulatedGateway start(String masterKey, Map<String, String> accounts,
                                      Function<String, String> modelList) throws Exception {
    return start(masterKey, accounts, options -> options, modelList);
  }

  /** As {@link #start(String, Map, Function)}, with the emulator's other accounts added by {@code more}. */
  public static EmulatedGateway start(String masterKey, Map<String, String> accounts,
                                      UnaryOperator<EmulatorOptions> more, Function<String, String> modelList)
      throws Exception {
    return start(accounts, more, emulator -> "general_settings: {master_key: " + masterKey + "}\nmodel_list:\n"
        + modelList.apply(emulator));
  }

  /** The gateway node, for its HTTP helpers. */
  public TestGateway gateway() {
    return gateway;
  }

  public UpstreamEmulator emulator() {
    return emulator;
  }

  /** The gateway's base URL, without a trailing slash. */
  public String baseUrl() {
    return gateway.baseUrl();
  }

  @Override
  public void close() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }
}
