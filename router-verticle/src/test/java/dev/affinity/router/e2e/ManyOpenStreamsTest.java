package dev.affinity.router.e2e;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node holds many long streams open with one provider at once. The accounts of a provider share one origin
 * (api.anthropic.com), so the connections to it bound how many streams can be open: the load benchmark found only
 * 256 streams getting through and every further one failing after the connect timeout.
 */
class ManyOpenStreamsTest {

  private static final int STREAMS = 300;

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // one token every 500 ms: each stream stays open for two minutes unless its client leaves
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions()
        .setLatency(new LatencyModel(0, 0, 0, 2)).setDefaultOutputTokens(240)
        .addAccount("one", "sk-one").addAccount("two", "sk-two")));
    gateway = TestGateway.start("""
        model_list:
          - model_name: long
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-one, api_base: "%1$s"}
          - model_name: long
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-two, api_base: "%1$s"}
        """.formatted(emulator.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    await(emulator.close());
    await(vertx.close());
  }

  @Test
  @Timeout(120)
  void moreStreamsThanTheOldConnectionLimitAreOpenAtOnce() throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions(),
        new PoolOptions().setHttp1MaxSize(STREAMS + 10));
    String body = "{\"model\":\"long\",\"max_tokens\":1000,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me a long story\"}]}";
    List<Future<Integer>> firstEvents = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      firstEvents.add(client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(gateway.node().port()).setURI("/v1/messages")
              .putHeader("content-type", "application/json").putHeader("anthropic-version", "2023-06-01"))
          .compose(request -> request.send(body))
          .compose(response -> {
            // the status once the first event is in, while the stream stays open
            Promise<Integer> firstEvent = Promise.promise();
            StringBuilder received = new StringBuilder();
            response.handler(chunk -> {
              received.append(chunk);
              if (received.indexOf("message_start") >= 0) {
                firstEvent.tryComplete(response.statusCode());
              }
            });
            response.endHandler(v -> firstEvent.tryComplete(response.statusCode() == 200 ? -1
                : response.statusCode()));
            return firstEvent.future();
          }));
    }
    await(Future.join(firstEvents));
    List<Integer> statuses = firstEvents.stream().map(Future::result).toList();
    assertThat(statuses).hasSize(STREAMS).containsOnly(200);
    await(client.close());
  }
}
