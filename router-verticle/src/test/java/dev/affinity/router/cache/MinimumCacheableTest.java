package dev.affinity.router.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MinimumCacheableTest {

  @ParameterizedTest
  @CsvSource({
      "claude-opus-4-6, 4096",
      "claude-opus-4-5-20251101, 4096",
      "claude-haiku-4-5-20251001, 4096",
      "claude-3-5-haiku-20241022, 2048",
      "claude-3-haiku-20240307, 2048",
      "claude-sonnet-4-5-20250929, 1024",
      "claude-opus-4-1-20250805, 1024",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0, 1024",
      "anthropic.claude-haiku-4-5-20251001-v1:0, 4096",
      "global.anthropic.claude-opus-4-5-20251101-v1:0, 4096",
      "eu.anthropic.claude-3-haiku-20240307-v1:0, 2048",
      "bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0, 2048",
      "vertex_ai/claude-opus-4-6@default, 4096",
      "Claude-Haiku-4-5, 4096",
      "gpt-4o, 1024"
  })
  void resolvesModelIdsAsAnyProviderSpellsThem(String modelId, int tokens) {
    assertThat(MinimumCacheable.tokens(modelId)).isEqualTo(tokens);
  }

  @Test
  void configuredMinimumWinsOverTheTable() {
    assertThat(MinimumCacheable.tokens("claude-haiku-4-5", OptionalInt.of(1500))).isEqualTo(1500);
    assertThat(MinimumCacheable.tokens("claude-haiku-4-5", OptionalInt.empty())).isEqualTo(4096);
  }
}
