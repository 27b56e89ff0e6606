package dev.affinity.model;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A verticle's error reaches the ingress of the same node as the object it failed with: nothing is serialised. */
class GatewayErrorExceptionTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    LocalCodec.registerAll(vertx.eventBus());
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFailureReplyIsTheSameObjectOnTheOtherSide() throws Exception {
    // a message that looks like JSON stays a message: it is never parsed back into a type
    GatewayErrorException sent = new GatewayError(429, "rate_limit_error",
        "{\"type\":\"api_error\"} rpm_limit 2 reached").toReplyException();
    vertx.eventBus().localConsumer("test.errors", message -> message.reply(sent,
        new DeliveryOptions().setLocalOnly(true)));
    Throwable failure = catchThrowable(() -> vertx.eventBus().request("test.errors", "hi",
        new DeliveryOptions().setLocalOnly(true)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause()).isSameAs(sent).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure.getCause()).failureCode()).isEqualTo(429);
    assertThat(GatewayError.from(failure.getCause())).isSameAs(sent.error());
  }

  @Test
  void anythingElseIsA500ThatSaysNothingInternal() {
    GatewayError unexpected = GatewayError.from(new IllegalStateException("secret detail"));
    assertThat(unexpected.status()).isEqualTo(500);
    assertThat(unexpected.message()).doesNotContain("secret");
    // a plain ReplyException whose message is JSON is not read as one of the gateway's errors any more
    GatewayError plain = GatewayError.from(new ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE,
        404, "{\"type\":\"not_found_error\",\"message\":\"x\"}"));
    assertThat(plain.status()).isEqualTo(500);
  }
}
