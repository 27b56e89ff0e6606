package dev.affinity.model;

import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A verticle's error reaches the ingress of the same node as the object it failed with: nothing is serialised. */
class GatewayErrorExceptionTest {

  @Test
  void aFailureCarriesItsErrorAndItsStatusAsTheFailureCode() {
    // a message that looks like JSON stays a message: it is never parsed back into a type
    GatewayErrorException sent = new GatewayError(429, "rate_limit_error",
        "{\"type\":\"api_error\"} rpm_limit 2 reached").toReplyException();
    assertThat(sent).isInstanceOf(ReplyException.class);
    assertThat(sent.failureCode()).isEqualTo(429);
    assertThat(GatewayError.from(sent)).isSameAs(sent.error());
    assertThat(sent.error().type()).isEqualTo("rate_limit_error");
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
