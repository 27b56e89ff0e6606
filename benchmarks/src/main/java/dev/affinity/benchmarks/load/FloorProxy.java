package dev.affinity.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.cache.PrefixChain;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * The floor of the load benchmark: a minimal Vert.x 5 reverse proxy on the same machine, in the same run, so that
 * Affinity's overhead can be read against what any Vert.x proxy costs. One instance per core, as Affinity's ingress.
 *
 * <p>{@code forward}: streams the request to the upstream and the answer back, nothing else. {@code parse}: also reads
 * the whole body, parses it with Jackson and builds the prefix chain of a Messages body (the hash of every block, as
 * Affinity does), then forwards the same bytes. The upstream is picked by the {@value #UPSTREAM} header the
 * benchmark sends ({@code fast}, {@code paced} or {@code slow}, the emulators of the run).
 *
 * <p>{@code java -cp benchmarks.jar dev.affinity.benchmarks.load.FloorProxy forward|parse PORT FAST PACED SLOW}
 */
public final class FloorProxy extends VerticleBase {

  static final String UPSTREAM = "x-bench-upstream";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<CharSequence> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding",
      "host", UPSTREAM);

  private final boolean parse;
  private final int port;
  private final Map<String, Integer> upstreams;
  private HttpClient client;

  FloorProxy(boolean parse, int port, Map<String, Integer> upstreams) {
    this.parse = parse;
    this.port = port;
    this.upstreams = upstreams;
  }

  public static void main(String[] args) {
    boolean parse = "parse".equals(args[0]);
    int port = Integer.parseInt(args[1]);
    Map<String, Integer> upstreams = Map.of("fast", Integer.parseInt(args[2]), "paced", Integer.parseInt(args[3]),
        "slow", Integer.parseInt(args[4]));
    Vertx vertx = Vertx.vertx();
    int instances = Runtime.getRuntime().availableProcessors();
    vertx.deployVerticle(() -> new FloorProxy(parse, port, upstreams), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("FloorProxy listening on " + port + " (" + args[0] + ")"))
        .onFailure(failure -> {
          failure.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(2000));
    return vertx.createHttpServer().requestHandler(this::handle).listen(port);
  }

  private void handle(HttpServerRequest request) {
    Integer upstream = upstreams.get(request.getHeader(UPSTREAM));
    if (upstream == null) {
      request.response().setStatusCode(400).end("no " + UPSTREAM);
      return;
    }
    RequestOptions options = new RequestOptions().setMethod(request.method()).setHost("127.0.0.1")
        .setPort(upstream).setURI(request.uri());
    MultiMap headers = HttpHeaders.headers();
    request.headers().forEach((name, value) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase())) {
        headers.add(name, value);
      }
    });
    options.setHeaders(headers);
    Future<HttpClientResponse> answer;
    if (parse) {
      answer = request.body().compose(body -> {
        try {
          JsonNode json = JSON.readTree(body.getBytes());
          PrefixChain.ofMessages(json, "floor\u0000" + json.path("model").asText());
        } catch (IOException malformed) {
          return Future.failedFuture(malformed);
        }
        return client.request(options).compose(call -> call.send(body));
      });
    } else {
      // held until the upstream connection is there, then streamed through
      request.pause();
      answer = client.request(options).compose(call -> call.send(request));
    }
    answer.onSuccess(response -> {
      var out = request.response().setStatusCode(response.statusCode());
      response.headers().forEach((name, value) -> {
        if (!HOP_BY_HOP.contains(name.toLowerCase())) {
          out.headers().add(name, value);
        }
      });
      if (response.getHeader("content-length") == null) {
        out.setChunked(true);
      }
      response.pipeTo(out);
    }).onFailure(failure -> {
      if (!request.response().ended()) {
        request.response().setStatusCode(502).end(String.valueOf(failure.getMessage()));
      }
    });
  }
}
