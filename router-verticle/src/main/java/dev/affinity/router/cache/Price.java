package dev.affinity.router.cache;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a model costs per token, in USD, under LiteLLM's names. Cache prices not given are derived from the input
 * price the way Anthropic sets them: a 5-minute write costs 1.25×, a 1-hour write 2×, a read 0.1×; reads of the
 * OpenAI and Gemini families that discount less are derived at their own share ({@link #readShare}).
 *
 * @param inputPerToken        {@code input_cost_per_token}
 * @param outputPerToken       {@code output_cost_per_token}
 * @param cacheWrite5mPerToken {@code cache_creation_input_token_cost}
 * @param cacheWrite1hPerToken {@code cache_creation_input_token_cost_above_1hr}
 * @param cacheReadPerToken    {@code cache_read_input_token_cost}
 */
public record Price(double inputPerToken, double outputPerToken, double cacheWrite5mPerToken,
                    double cacheWrite1hPerToken, double cacheReadPerToken) {

  public static final String INPUT = "input_cost_per_token";
  public static final String OUTPUT = "output_cost_per_token";
  public static final String CACHE_WRITE_5M = "cache_creation_input_token_cost";
  public static final String CACHE_WRITE_1H = "cache_creation_input_token_cost_above_1hr";
  public static final String CACHE_READ = "cache_read_input_token_cost";

  static final double WRITE_5M_FACTOR = 1.25;
  static final double WRITE_1H_FACTOR = 2.0;
  static final double READ_FACTOR = 0.1;
  private static final double PER_MTOK = 1e-6;

  private record Row(String idPrefix, double inputPerMTok, double outputPerMTok) {
  }

  private record ReadShare(String idPrefix, double ofInput) {
  }

  // Cached input as a share of the input price where it is not 0.1× (OpenAI's and Google's price pages); the first
  // matching prefix wins. GPT-5 and later read at 0.1×, as Claude does.
  private static final List<ReadShare> READ_SHARES = List.of(
      new ReadShare("gpt-4o", 0.5),
      new ReadShare("o1", 0.5),
      new ReadShare("o3-mini", 0.5),
      new ReadShare("gpt-4.1", 0.25),
      new ReadShare("o3", 0.25),
      new ReadShare("o4-mini", 0.25),
      new ReadShare("gemini-2.5", 0.25),
      new ReadShare("gemini-2.0", 0.25));

  // Anthropic list prices, USD per million tokens; the first matching prefix wins, so newer models come first.
  private static final List<Row> DEFAULTS = List.of(
      new Row("claude-opus-4-6", 5, 25),
      new Row("claude-opus-4-5", 5, 25),
      new Row("claude-opus-4", 15, 75),
      new Row("claude-3-opus", 15, 75),
      new Row("claude-sonnet-4", 3, 15),
      new Row("claude-3-7-sonnet", 3, 15),
      new Row("claude-3-5-sonnet", 3, 15),
      new Row("claude-haiku-4-5", 1, 5),
      new Row("claude-3-5-haiku", 0.8, 4));

  public Price {
    if (inputPerToken < 0 || outputPerToken < 0 || cacheWrite5mPerToken < 0 || cacheWrite1hPerToken < 0
        || cacheReadPerToken < 0) {
      throw new IllegalArgumentException("prices must not be negative");
    }
  }

  /** Input and output prices per token, cache prices derived from the input price. */
  public static Price of(double inputPerToken, double outputPerToken) {
    return new Price(inputPerToken, outputPerToken, inputPerToken * WRITE_5M_FACTOR,
        inputPerToken * WRITE_1H_FACTOR, inputPerToken * READ_FACTOR);
  }

  /** Anthropic's list price of a Claude model, however the provider spells its id; empty for unknown models. */
  public static Optional<Price> listPrice(String modelId) {
    String id = ClaudeModel.canonicalId(modelId);
    for (Row row : DEFAULTS) {
      if (id.startsWith(row.idPrefix())) {
        return Optional.of(of(row.inputPerMTok() * PER_MTOK, row.outputPerMTok() * PER_MTOK));
      }
    }
    return Optional.empty();
  }

  /**
   * The price of a deployment: configured LiteLLM fields win; a missing cache price is derived from the (configured
   * or list) input price; a missing input or output price comes from the list. Empty when neither the configuration
   * nor the list gives an input and an output price.
   *
   * @param modelId    the deployment's model, for the list price
   * @param configured LiteLLM-named prices ({@link #INPUT}, {@link #OUTPUT}, {@link #CACHE_WRITE_5M},
   *                   {@link #CACHE_WRITE_1H}, {@link #CACHE_READ}); absent or {@code null} values are not configured
   */
  public static Optional<Price> resolve(String modelId, Map<String, ? extends Number> configured) {
    Optional<Price> list = listPrice(modelId);
    Double input = value(configured, INPUT, list.map(Price::inputPerToken).orElse(null));
    Double output = value(configured, OUTPUT, list.map(Price::outputPerToken).orElse(null));
    if (input == null || output == null) {
      return Optional.empty();
    }
    Price derived = of(input, output);
    return Optional.of(new Price(input, output,
        value(configured, CACHE_WRITE_5M, derived.cacheWrite5mPerToken()),
        value(configured, CACHE_WRITE_1H, derived.cacheWrite1hPerToken()),
        value(configured, CACHE_READ, input * readShare(modelId))));
  }

  /**
   * The share of the input price a cache read of {@code modelId} costs when none is configured: 0.1× (Claude, GPT-5
   * and later, unknown models), or the family's own (GPT-4o 0.5×, GPT-4.1 0.25×, Gemini 2.5 0.25×...). OpenAI and
   * Gemini report no cache writes, so only the read share differs for them.
   */
  static double readShare(String modelId) {
    String id = modelId.substring(modelId.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    for (ReadShare share : READ_SHARES) {
      if (id.startsWith(share.idPrefix())) {
        return share.ofInput();
      }
    }
    return READ_FACTOR;
  }

  private static Double value(Map<String, ? extends Number> configured, String name, Double otherwise) {
    Number value = configured.get(name);
    return value != null ? Double.valueOf(value.doubleValue()) : otherwise;
  }
}
