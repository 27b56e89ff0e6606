package dev.affinity.router.routing;

import dev.affinity.model.RouteKind;
import static org.assertj.core.api.Assertions.assertThat;

import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.CallSettings;
import dev.affinity.model.config.ModelInfo;
import dev.affinity.model.config.Secret;
import dev.affinity.provider.anthropic.AnthropicSettings;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which outcomes call for a fallback, and LiteLLM's order among deployments. */
class AliasFallbacksTest {

  private static Future<GatewayReply> answer(int status, String body) {
    return Future.succeededFuture(new GatewayReply(status, Map.of(), Buffer.buffer(body), null, "d", RouteKind.UNPINNED));
  }

  @Test
  void upstreamFaultsAndContextWindowErrorsCallForAFallbackAndClientMistakesDoNot() {
    assertThat(AliasFallbacks.cause(answer(200, "{}"))).isEqualTo(AliasFallbacks.Cause.NONE);
    assertThat(AliasFallbacks.cause(answer(529, "{}"))).isEqualTo(AliasFallbacks.Cause.UPSTREAM);
    assertThat(AliasFallbacks.cause(answer(429, "{}"))).isEqualTo(AliasFallbacks.Cause.UPSTREAM);
    assertThat(AliasFallbacks.cause(Future.failedFuture(GatewayError.upstreamTimeout("slow").toReplyException())))
        .isEqualTo(AliasFallbacks.Cause.UPSTREAM);
    assertThat(AliasFallbacks.cause(answer(400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
        + "\"message\":\"max_tokens: field required\"}}"))).isEqualTo(AliasFallbacks.Cause.NONE);
    assertThat(AliasFallbacks.cause(answer(401, "{}"))).isEqualTo(AliasFallbacks.Cause.NONE);
    // Anthropic, OpenAI, Bedrock and Gemini word it differently
    for (String error : List.of("prompt is too long: 210000 tokens > 200000 maximum",
        "This model's maximum context length is 128000 tokens.", "Input is too long for requested model.",
        "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).")) {
      assertThat(AliasFallbacks.cause(answer(400, "{\"error\":{\"message\":\"" + error + "\"}}"))).as(error)
          .isEqualTo(AliasFallbacks.Cause.CONTEXT_WINDOW);
    }
  }

  private static Deployment deployment(String id, Integer order) {
    return new Deployment(id, "a", "claude-x", "https://api.anthropic.com", new Secret("k"), 1, null, null,
        Duration.ofSeconds(1), List.of(), ModelInfo.NONE, id, AnthropicSettings.INSTANCE,
        new CallSettings(order, null, null, Map.of()));
  }

  @Test
  void onlyTheLowestOrderTakesTrafficWhenAnyHasAnOrder() {
    Deployment none = deployment("none", null);
    Deployment one = deployment("one", 1);
    Deployment oneToo = deployment("one-too", 1);
    Deployment two = deployment("two", 2);

    assertThat(DeploymentOrder.first(List.of(two, none, one, oneToo))).containsExactly(one, oneToo);
    assertThat(DeploymentOrder.first(List.of(two, none))).containsExactly(two);
    assertThat(DeploymentOrder.first(List.of(none, deployment("other", null)))).hasSize(2);
  }
}
