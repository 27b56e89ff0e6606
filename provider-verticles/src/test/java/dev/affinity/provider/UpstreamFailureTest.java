package dev.affinity.provider;

import dev.affinity.model.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;

import static dev.affinity.provider.Replies.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The error a client gets names the wait that ran out, from the failures Vert.x really raises. */
class UpstreamFailureTest {

  private Vertx vertx;
  private HttpServer silent;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // takes requests and never answers them
    silent = await(vertx.createHttpServer().requestHandler(request -> { }).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private RequestOptions post(long idleTimeoutMillis, long connectTimeoutMillis) {
    return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(silent.actualPort())
        .setURI("/v1/messages").setIdleTimeout(idleTimeoutMillis).setConnectTimeout(connectTimeoutMillis);
  }

  @Test
  void anUpstreamThatGoesQuietIsAnAnswerTimeout() {
    HttpClient client = vertx.createHttpClient();
    Throwable failure = failureOf(client.request(post(200, 5_000)).compose(request -> request.send("{}")));

    GatewayError error = UpstreamFailure.classify(failure, "dep-1", 200);
    assertThat(error.status()).isEqualTo(504);
    assertThat(error.message()).isEqualTo("deployment dep-1 did not answer within 0.2 s");
  }

  @Test
  void waitingForAFreePooledConnectionIsNotReportedAsTheUpstreamsSilence() {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(1));
    // the only connection is held by a call the upstream never answers
    client.request(post(60_000, 5_000)).compose(request -> request.send("{}"));
    Throwable failure = failureOf(client.request(post(60_000, 200)).compose(request -> request.send("{}")));

    GatewayError error = UpstreamFailure.classify(failure, "dep-1", 300_000);
    assertThat(error.status()).isEqualTo(504);
    assertThat(error.type()).isEqualTo("timeout_error");
    assertThat(error.message()).contains("dep-1", "no connection to the upstream was free", "not sent")
        .doesNotContain("300.0 s");
  }

  private static Throwable failureOf(Future<?> call) {
    return catchThrowableOfType(ExecutionException.class, () -> await(call)).getCause();
  }
}
