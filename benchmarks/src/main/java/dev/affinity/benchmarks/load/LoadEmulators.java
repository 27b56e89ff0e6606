package dev.affinity.benchmarks.load;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstreams of the load benchmark, in one JVM of their own (so that they never share a heap or a JIT with the
 * gateway under test): three emulators with the same three accounts and different pacing.
 *
 * <ul>
 *   <li>fast: zero latency, 24 output tokens: what the gateway adds is all there is to measure;</li>
 *   <li>paced: no first-token delay, then one token every 10 ms (20 tokens): time to first event and the gaps
 *       between events;</li>
 *   <li>slow: no first-token delay, then one token every 500 ms (240 tokens, two minutes): streams held open for the
 *       memory reading.</li>
 * </ul>
 *
 * Prints {@code LoadEmulators fast=PORT paced=PORT slow=PORT} once all three listen.
 */
public final class LoadEmulators {

  static final List<String> KEYS = List.of("sk-emu-1", "sk-emu-2", "sk-emu-3");
  /** How the line that says the emulators listen begins. */
  static final String READY = "LoadEmulators ";

  private LoadEmulators() {
  }

  public static void main(String[] args) {
    int eventLoops = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    Vertx vertx = Vertx.vertx();
    Future<UpstreamEmulator> fast = UpstreamEmulator.start(vertx, options(LatencyModel.ZERO, 24, eventLoops));
    Future<UpstreamEmulator> paced = UpstreamEmulator.start(vertx, options(new LatencyModel(0, 0, 0, 100), 20, eventLoops));
    Future<UpstreamEmulator> slow = UpstreamEmulator.start(vertx, options(new LatencyModel(0, 0, 0, 2), 240, eventLoops));
    Future.all(fast, paced, slow).onComplete(started -> {
      if (started.failed()) {
        System.err.println("LoadEmulators: cannot start: " + started.cause());
        System.exit(1);
      }
      System.out.println(READY + "fast=" + fast.result().port() + " paced=" + paced.result().port()
          + " slow=" + slow.result().port());
      System.out.flush();
    });
  }

  /** The ports in the line {@link #main} prints once the emulators listen, by name (fast, paced, slow). */
  static Map<String, Integer> ports(String readyLine) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String pair : readyLine.substring(readyLine.indexOf(READY) + READY.length()).trim().split(" ")) {
      String[] kv = pair.split("=");
      ports.put(kv[0], Integer.parseInt(kv[1]));
    }
    return ports;
  }

  private static EmulatorOptions options(LatencyModel latency, int outputTokens, int eventLoops) {
    EmulatorOptions options = new EmulatorOptions().setPort(0).setLatency(latency)
        .setDefaultOutputTokens(outputTokens).setEventLoops(eventLoops)
        // the request log keeps bodies: keep it short, 50 KB bodies at thousands per second add up
        .setCapturedRequestsPerAccount(1);
    for (int i = 0; i < KEYS.size(); i++) {
      options.addAccount("acct-" + (i + 1), KEYS.get(i));
    }
    return options;
  }
}
