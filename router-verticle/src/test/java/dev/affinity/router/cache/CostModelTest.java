package dev.affinity.router.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.affinity.router.cache.CostModel.RequestCost;
import dev.affinity.router.cache.CostModel.Usage;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class CostModelTest {

  private static final Offset<Double> CENT_FRACTION = within(1e-12);

  private static Price listPrice(String model) {
    return Price.listPrice(model).orElseThrow();
  }

  @Test
  void firstTurnWritesTheCacheAndCostsMoreThanWithout() {
    // Sonnet 4.5, $3 / $15 per MTok: 100 input, 10,000 written for 5 minutes, 500 output.
    RequestCost cost = CostModel.cost(listPrice("claude-sonnet-4-5-20250929"), new Usage(100, 10_000, 0, 0, 500));

    // 100×3e-6 + 10,000×3.75e-6 + 500×15e-6 = 0.0003 + 0.0375 + 0.0075
    assertThat(cost.cost()).isCloseTo(0.0453, CENT_FRACTION);
    // 10,100×3e-6 + 0.0075
    assertThat(cost.costWithoutCache()).isCloseTo(0.0378, CENT_FRACTION);
    assertThat(cost.saving()).isCloseTo(-0.0075, CENT_FRACTION);
  }

  @Test
  void laterTurnReadsTheCacheAndSaves() {
    RequestCost cost = CostModel.cost(listPrice("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        new Usage(100, 0, 0, 10_000, 500));

    // 0.0003 + 10,000×0.3e-6 + 0.0075
    assertThat(cost.cost()).isCloseTo(0.0108, CENT_FRACTION);
    assertThat(cost.saving()).isCloseTo(0.0270, CENT_FRACTION);
  }

  @Test
  void oneHourWritesCostTwiceTheInputPrice() {
    // Opus 4.6, $5 / $25 per MTok: 2,000 written for an hour, 1,000 read, 50 input, 100 output.
    RequestCost cost = CostModel.cost(listPrice("claude-opus-4-6"), new Usage(50, 0, 2_000, 1_000, 100));

    // 50×5e-6 + 2,000×10e-6 + 1,000×0.5e-6 + 100×25e-6 = 0.00025 + 0.02 + 0.0005 + 0.0025
    assertThat(cost.cost()).isCloseTo(0.02325, CENT_FRACTION);
    // 3,050×5e-6 + 0.0025
    assertThat(cost.costWithoutCache()).isCloseTo(0.01775, CENT_FRACTION);
  }

  @Test
  void listPricesOfCurrentModels() {
    assertThat(listPrice("claude-opus-4-1-20250805").inputPerToken()).isCloseTo(15e-6, CENT_FRACTION);
    assertThat(listPrice("claude-opus-4-1-20250805").outputPerToken()).isCloseTo(75e-6, CENT_FRACTION);
    assertThat(listPrice("claude-opus-4-5-20251101").inputPerToken()).isCloseTo(5e-6, CENT_FRACTION);
    assertThat(listPrice("claude-sonnet-4-20250514").outputPerToken()).isCloseTo(15e-6, CENT_FRACTION);
    assertThat(listPrice("anthropic.claude-haiku-4-5-20251001-v1:0").inputPerToken()).isCloseTo(1e-6, CENT_FRACTION);
    Price haiku35 = listPrice("claude-3-5-haiku-20241022");
    assertThat(haiku35.inputPerToken()).isCloseTo(0.8e-6, CENT_FRACTION);
    assertThat(haiku35.cacheWrite5mPerToken()).isCloseTo(1e-6, CENT_FRACTION);
    assertThat(haiku35.cacheWrite1hPerToken()).isCloseTo(1.6e-6, CENT_FRACTION);
    assertThat(haiku35.cacheReadPerToken()).isCloseTo(0.08e-6, CENT_FRACTION);
    assertThat(Price.listPrice("gpt-4o")).isEmpty();
  }

  @Test
  void configuredLiteLlmPricesWinAndMissingCachePricesFollowTheInputPrice() {
    Price price = Price.resolve("claude-sonnet-4-5", Map.of(
        Price.INPUT, 2e-6, Price.CACHE_READ, 0.1e-6)).orElseThrow();

    assertThat(price.inputPerToken()).isCloseTo(2e-6, CENT_FRACTION);
    assertThat(price.outputPerToken()).isCloseTo(15e-6, CENT_FRACTION);
    assertThat(price.cacheWrite5mPerToken()).isCloseTo(2.5e-6, CENT_FRACTION);
    assertThat(price.cacheWrite1hPerToken()).isCloseTo(4e-6, CENT_FRACTION);
    assertThat(price.cacheReadPerToken()).isCloseTo(0.1e-6, CENT_FRACTION);
  }

  @Test
  void unknownModelNeedsConfiguredInputAndOutputPrices() {
    assertThat(Price.resolve("my-vllm-model", Map.of(Price.INPUT, 1e-6))).isEmpty();
    assertThat(Price.resolve("my-vllm-model", Map.of(Price.INPUT, 1e-6, Price.OUTPUT, 2e-6)))
        .hasValueSatisfying(price -> assertThat(price.cacheReadPerToken()).isCloseTo(0.1e-6, CENT_FRACTION));
  }

  @Test
  void cacheReadsOfOpenAiAndGeminiFamiliesAreDerivedAtTheirOwnShare() {
    Map<String, Double> expected = Map.of("gpt-4o-2024-08-06", 0.5, "openai/gpt-4o-mini", 0.5, "gpt-4.1-mini", 0.25,
        "o3", 0.25, "o3-mini", 0.5, "o4-mini", 0.25, "gpt-5.4", 0.1, "gemini/gemini-2.5-flash", 0.25,
        "claude-sonnet-4-5", 0.1, "my-vllm-model", 0.1);
    expected.forEach((model, share) -> assertThat(Price.resolve(model, Map.of(Price.INPUT, 2e-6, Price.OUTPUT, 8e-6))
        .orElseThrow().cacheReadPerToken()).as(model).isCloseTo(2e-6 * share, CENT_FRACTION));
    // a configured read price still wins
    assertThat(Price.resolve("gpt-4o", Map.of(Price.INPUT, 2e-6, Price.OUTPUT, 8e-6, Price.CACHE_READ, 1e-7))
        .orElseThrow().cacheReadPerToken()).isCloseTo(1e-7, CENT_FRACTION);
  }

  @Test
  void waitingOutAShortRetryAfterBeatsRewritingALargeCachedPrefixButNotASmallOne() {
    Price sonnet = Price.listPrice("claude-sonnet-4-5").orElseThrow();
    // 100,000 cached tokens cost 34.5 cents to write again elsewhere; 5 s at a cent a second is 5 cents
    assertThat(CostModel.worthWaiting(sonnet, 100_000, 5_000, 0.01)).isTrue();
    // 1,000 tokens cost a third of a cent to move: not worth 5 s
    assertThat(CostModel.worthWaiting(sonnet, 1_000, 5_000, 0.01)).isFalse();
    assertThat(CostModel.worthWaiting(sonnet, 0, 0, 0.01)).as("nothing cached: move").isFalse();
  }
}
