package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.config.ProviderKind;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The registry of pairs: which client API reaches which upstream, and the 400 for a pair that is not served. */
class TranslatorsTest {

  @Test
  void theResponsesApiReachesEveryUpstream() {
    Map<ProviderKind, Class<? extends Translator>> expected = Map.of(
        ProviderKind.OPENAI, ResponsesToOpenAi.class, ProviderKind.ANTHROPIC, ResponsesToAnthropic.class,
        ProviderKind.BEDROCK, ResponsesToBedrock.class, ProviderKind.VERTEX, ResponsesToVertex.class,
        ProviderKind.GEMINI, ResponsesToGemini.class);
    assertThat(expected).hasSize(ProviderKind.values().length);
    expected.forEach((upstream, pair) -> {
      Translator found = Translators.of(ClientApi.RESPONSES, upstream, "model");
      assertThat(found).as(upstream.name()).isInstanceOf(pair);
      assertThat(found.client()).isEqualTo(ClientApi.RESPONSES);
      assertThat(found.upstream()).isEqualTo(upstream);
    });
  }

  @Test
  void aPairNotServedIsA400NamingWhatIsServedAndWhatToCallInstead() {
    Translators.NotServed refused = catchThrowableOfType(Translators.NotServed.class,
        () -> Translators.of(ClientApi.BEDROCK_INVOKE, ProviderKind.GEMINI, "gemini-pro"));
    assertThat(refused.error().status()).isEqualTo(400);
    assertThat(refused.error().message()).contains("'gemini-pro'").contains("served by gemini deployments")
        .contains("served for anthropic, bedrock, vertex_ai deployments")
        .contains("call POST /v1/messages or POST /v1/chat/completions or POST /v1/responses");
  }
}
