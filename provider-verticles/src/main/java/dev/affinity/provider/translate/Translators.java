package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.config.ProviderKind;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The translators the gateway serves, one per (client API, upstream API) pair. A pair missing here is not served: a
 * client of that API gets a 400 naming the model and the API to call instead.
 */
public final class Translators {

  /** Every pair served; a new pair is one class and one line here. */
  private static final List<Translator> PAIRS = List.of(
      new AnthropicToAnthropic(), new AnthropicToBedrock(), new AnthropicToVertex(), new AnthropicToGemini(),
      new AnthropicToOpenAi(),
      new OpenAiToOpenAi(), new OpenAiToAnthropic(), new OpenAiToBedrock(), new OpenAiToVertex(), new OpenAiToGemini(),
      new ResponsesToOpenAi(), new ResponsesToAnthropic(), new ResponsesToBedrock(), new ResponsesToVertex(),
      new ResponsesToGemini(),
      new BedrockInvokeToAnthropic(), new BedrockInvokeToBedrock(), new BedrockInvokeToVertex(),
      new VertexRawPredictToAnthropic(), new VertexRawPredictToBedrock(), new VertexRawPredictToVertex());

  private static final Map<ClientApi, Map<ProviderKind, Translator>> BY_PAIR = index(PAIRS);

  private Translators() {
  }

  /** The translator from {@code client} to {@code upstream}, if that pair is served. */
  public static Optional<Translator> find(ClientApi client, ProviderKind upstream) {
    return Optional.ofNullable(BY_PAIR.getOrDefault(client, Map.of()).get(upstream));
  }

  /**
   * The translator from {@code client} to {@code upstream}.
   *
   * @param model the model the client asked for, named in the error
   * @throws NotServed when the pair is not served
   */
  public static Translator of(ClientApi client, ProviderKind upstream, String model) {
    return find(client, upstream).orElseThrow(() -> new NotServed(notServed(client, upstream, model)));
  }

  /**
   * The 400 for a model whose upstream API {@code client} cannot reach: it names the deployments {@code client} is
   * served for and the APIs that reach this model.
   */
  static GatewayError notServed(ClientApi client, ProviderKind upstream, String model) {
    String reached = BY_PAIR.getOrDefault(client, Map.of()).keySet().stream()
        .map(ProviderKind::prefix)
        .collect(Collectors.joining(", "));
    String instead = BY_PAIR.entrySet().stream()
        .filter(byClient -> byClient.getValue().containsKey(upstream))
        .map(byClient -> byClient.getKey().endpoint())
        .collect(Collectors.joining(" or "));
    return GatewayError.invalidRequest("model '" + model + "' is served by " + upstream.prefix()
        + " deployments, which " + client.endpoint() + " does not reach (it is served for " + reached
        + " deployments)" + (instead.isEmpty() ? "" : ": call " + instead));
  }

  private static Map<ClientApi, Map<ProviderKind, Translator>> index(List<Translator> pairs) {
    Map<ClientApi, Map<ProviderKind, Translator>> byPair = new EnumMap<>(ClientApi.class);
    for (Translator pair : pairs) {
      Translator earlier = byPair.computeIfAbsent(pair.client(), client -> new EnumMap<>(ProviderKind.class))
          .put(pair.upstream(), pair);
      if (earlier != null) {
        throw new IllegalStateException("two translators from " + pair.client() + " to " + pair.upstream());
      }
    }
    return byPair;
  }

  /** A client API and upstream API pair the gateway does not translate. */
  public static final class NotServed extends RuntimeException {

    private final transient GatewayError error;

    NotServed(GatewayError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    /** The 400 the client gets, in its API's shape. */
    public GatewayError error() {
      return error;
    }
  }
}
