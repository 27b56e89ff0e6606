package dev.affinity.provider;

import dev.affinity.model.GatewayError;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 12 finding 5: only what the upstream did counts against a deployment's health. */
class UpstreamFailureTest {

  @Test
  void aFailureToBuildOrSendTheRequestHereIsNotTheUpstreamsFault() {
    assertThat(UpstreamFailure.upstreamAtFault(new IllegalArgumentException("Illegal character in path"))).isFalse();
    assertThat(UpstreamFailure.upstreamAtFault(new RuntimeException(new IllegalStateException("bad")))).isFalse();
    assertThat(UpstreamFailure.upstreamAtFault(new UpstreamFailure.Refusal(
        GatewayError.invalidRequest("untranslatable")))).isFalse();
  }

  @Test
  void noAnswerFromTheUpstreamIs() {
    assertThat(UpstreamFailure.upstreamAtFault(new ConnectException("refused"))).isTrue();
    assertThat(UpstreamFailure.upstreamAtFault(new RuntimeException(new TimeoutException()))).isTrue();
  }
}
