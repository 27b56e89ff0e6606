package dev.affinity.benchmarks.load;

import dev.affinity.emulator.workload.AgentWorkload;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Where a run sends its requests (the emulator itself, Affinity nodes or Portkey processes) and how. */
final class Target {

  /** What is sent. */
  enum Workload {
    /** 50 KB agent Messages request, not streamed, to the zero-latency emulator. */
    MESSAGES,
    /** The same conversation on Chat Completions, streamed, to the paced emulator (10 ms per token). */
    CHAT_STREAM,
    /** The 50 KB Messages request streamed, to the paced emulator (Portkey's Messages streaming is broken). */
    MESSAGES_STREAM,
    /** Streams held open (500 ms per token) for the memory reading: Messages for Affinity, Chat for Portkey. */
    HOLD
  }

  enum Kind { DIRECT, AFFINITY, PORTKEY, FLOOR }

  static final String MASTER_KEY = "sk-bench";

  final String name;
  final Kind kind;
  final List<Integer> ports;
  private final Map<Workload, List<Buffer>> bodies = new EnumMap<>(Workload.class);
  private final Map<Workload, List<MultiMap>> headers = new EnumMap<>(Workload.class);
  private final Map<Workload, String> uris = new EnumMap<>(Workload.class);
  private final Map<Workload, Integer> emulatorPorts = new EnumMap<>(Workload.class);

  private Target(String name, Kind kind, List<Integer> ports) {
    this.name = name;
    this.kind = kind;
    this.ports = ports;
  }

  static Target direct(int fast, int paced, int slow) {
    Target target = new Target("direct", Kind.DIRECT, List.of());
    target.emulatorPorts.put(Workload.MESSAGES, fast);
    target.emulatorPorts.put(Workload.CHAT_STREAM, paced);
    target.emulatorPorts.put(Workload.MESSAGES_STREAM, paced);
    target.emulatorPorts.put(Workload.HOLD, slow);
    for (Workload workload : Workload.values()) {
      boolean chat = workload == Workload.CHAT_STREAM;
      target.uris.put(workload, chat ? "/v1/chat/completions" : "/v1/messages");
      target.bodies.put(workload, chat ? Bodies.chat("gpt-4o", true)
          : Bodies.messages("claude-sonnet-4-5", workload != Workload.MESSAGES));
      // the session's account: the same session always on the same account, as with affinity
      target.headers.put(workload, LoadEmulators.KEYS.stream()
          .map(key -> chat ? openAi("Bearer " + key) : anthropic(key)).toList());
    }
    return target;
  }

  static Target affinity(List<Integer> nodePorts) {
    return affinity(nodePorts.size() == 1 ? "affinity" : "affinity x" + nodePorts.size(), nodePorts);
  }

  static Target affinity(String name, List<Integer> nodePorts) {
    Target target = new Target(name, Kind.AFFINITY, nodePorts);
    target.put(Workload.MESSAGES, "/v1/messages", Bodies.messages("bench-fast", false), anthropic(MASTER_KEY));
    target.put(Workload.CHAT_STREAM, "/v1/chat/completions", Bodies.chat("gpt-paced", true),
        openAi("Bearer " + MASTER_KEY));
    target.put(Workload.MESSAGES_STREAM, "/v1/messages", Bodies.messages("bench-paced", true), anthropic(MASTER_KEY));
    target.put(Workload.HOLD, "/v1/messages", Bodies.messages("bench-slow", true), anthropic(MASTER_KEY));
    return target;
  }

  /**
   * {@link FloorProxy} processes on {@code ports} (request i to the i mod n-th): the direct requests (the emulator's own keys and model), sent through the
   * proxy, which picks the emulator by a header. No held streams.
   */
  static Target floor(String name, List<Integer> ports) {
    Target target = new Target(name, Kind.FLOOR, ports);
    for (Workload workload : List.of(Workload.MESSAGES, Workload.CHAT_STREAM, Workload.MESSAGES_STREAM)) {
      boolean chat = workload == Workload.CHAT_STREAM;
      String upstream = workload == Workload.MESSAGES ? "fast" : "paced";
      target.uris.put(workload, chat ? "/v1/chat/completions" : "/v1/messages");
      target.bodies.put(workload, chat ? Bodies.chat("gpt-4o", true)
          : Bodies.messages("claude-sonnet-4-5", workload != Workload.MESSAGES));
      target.headers.put(workload, LoadEmulators.KEYS.stream()
          .map(key -> (chat ? openAi("Bearer " + key) : anthropic(key)).add(FloorProxy.UPSTREAM, upstream)).toList());
    }
    return target;
  }

  static Target portkey(List<Integer> ports, int fast, int paced, int slow) {
    Target target = new Target(ports.size() == 1 ? "portkey" : "portkey x" + ports.size(), Kind.PORTKEY, ports);
    MultiMap messages = anthropic(null).add("x-portkey-config", loadBalance("anthropic", fast));
    target.put(Workload.MESSAGES, "/v1/messages", Bodies.messages("claude-sonnet-4-5", false), messages);
    target.put(Workload.CHAT_STREAM, "/v1/chat/completions", Bodies.chat("gpt-4o", true),
        openAi(null).add("x-portkey-config", loadBalance("openai", paced)));
    target.put(Workload.HOLD, "/v1/chat/completions", Bodies.chat("gpt-4o", true),
        openAi(null).add("x-portkey-config", loadBalance("openai", slow)));
    return target;
  }

  boolean supports(Workload workload) {
    return bodies.containsKey(workload);
  }

  /** Request i: session i mod the sessions, node i mod the nodes. */
  LoadClient.Calls calls(Workload workload) {
    List<Buffer> body = bodies.get(workload);
    List<MultiMap> header = headers.get(workload);
    String uri = uris.get(workload);
    Integer emulator = emulatorPorts.get(workload);
    return i -> {
      int session = (int) (i % body.size());
      int port = emulator != null ? emulator : ports.get((int) (i % ports.size()));
      return new LoadClient.Call("127.0.0.1", port, uri, header.get(session % header.size()), body.get(session));
    };
  }

  private void put(Workload workload, String uri, List<Buffer> body, MultiMap header) {
    uris.put(workload, uri);
    bodies.put(workload, body);
    headers.put(workload, List.of(header));
  }

  /** Portkey's config header: a load balance over the three emulator accounts. */
  private static String loadBalance(String provider, int port) {
    JsonArray targets = new JsonArray();
    for (String key : LoadEmulators.KEYS) {
      targets.add(new JsonObject().put("provider", provider).put("api_key", key)
          .put("custom_host", "http://127.0.0.1:" + port + "/v1"));
    }
    return new JsonObject().put("strategy", new JsonObject().put("mode", "loadbalance")).put("targets", targets)
        .encode();
  }

  private static MultiMap anthropic(String key) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json");
    AgentWorkload.clientHeaders().forEach(headers::add);
    if (key != null) {
      headers.add("x-api-key", key);
    }
    return headers;
  }

  private static MultiMap openAi(String authorization) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json");
    if (authorization != null) {
      headers.add("authorization", authorization);
    }
    return headers;
  }
}
