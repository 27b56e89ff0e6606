package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.JsonBody;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.InjectionPoint;
import dev.affinity.model.provider.CacheBehaviour;
import dev.affinity.provider.translate.ResponseIds;
import dev.affinity.router.cache.AutomaticPrefixChain;
import dev.affinity.router.cache.InjectionPoints;
import dev.affinity.router.cache.LookupPlan;
import dev.affinity.router.cache.MinimumCacheable;
import dev.affinity.router.cache.PinPlan;
import dev.affinity.router.cache.PrefixChain;
import dev.affinity.router.cache.ResponsesConversation;
import dev.affinity.router.cache.SessionKey;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * What prompt-cache affinity needs from a request before it can decide: the keys to read (the lookup plan), the keys
 * worth pinning (the pin plan), and the body to send when the gateway injected markers. It is the CPU-heavy part of
 * routing (the prefix chain hashes every block of the prompt) and depends only on the request and the configuration,
 * so it is computed where the body was parsed: on the HTTP ingress, one instance per core
 * ({@link #prepare(GatewayConfig, GatewayRequest)}), and carried to the router in the request. The router computes it
 * itself for requests that come another way (translated, or sent over the event bus). Immutable.
 *
 * @param reference the deployment whose provider, model and settings the keys were computed for
 * @param body      the body to send when markers were injected, else null (the client's body is sent)
 * @param sessionKey the pin key of the session the client named ({@link SessionKey}), scoped like the prefixes, or
 *                   null
 */
public record PromptKeys(String reference, LookupPlan lookup, PinPlan plan, Buffer body, String sessionKey) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The keys of a request the ingress parsed, when the router would compute the same ones: affinity on, a request
   * that caches upstream, served by deployments that speak the client's API (no translation first). Null otherwise.
   */
  public static PromptKeys prepare(GatewayConfig config, GatewayRequest request) {
    if (!config.router().promptCaching() || request.operation().countsTokens() || request.json() == null) {
      return null;
    }
    List<Deployment> candidates = config.deploymentsFor(request.model());
    if (candidates.isEmpty()) {
      return null;
    }
    Deployment reference = candidates.get(0);
    CacheBehaviour cache = cache(reference, reference.upstreamModel(request.model()));
    ClientApi api = request.operation().api();
    boolean openAiClient = api == ClientApi.OPENAI || api == ClientApi.RESPONSES;
    // keys are computed on the form the provider's cache sees: only when that is the client's own form
    if (openAiClient != cache.layout().openAiForm() || !cache.cachesPrompts()) {
      return null;
    }
    if (api == ClientApi.RESPONSES && ResponseIds.continuesStored(request.json())) {
      return null; // routed to the deployment that stored the response, whatever is pinned
    }
    try {
      return of(request, reference, request.json());
    } catch (RuntimeException unusual) {
      return null; // the router computes them and reports what is wrong
    }
  }

  /** Whether {@code reference}'s provider keeps a prompt cache for the model asked for (some do not). */
  static boolean hasPromptCache(Deployment reference, String requestedModel) {
    return cache(reference, reference.upstreamModel(requestedModel)).cachesPrompts();
  }

  /** The cache behaviour of {@code deployment}'s provider for {@code upstreamModel}, as its registration says. */
  static CacheBehaviour cache(Deployment deployment, String upstreamModel) {
    return deployment.registration().cache(deployment, upstreamModel);
  }

  /** Whether these keys were computed for {@code reference}, the deployment the router takes as the alias's. */
  boolean computedFor(Deployment reference) {
    return this.reference.equals(reference.id());
  }

  /** The keys of {@code request}, parsed as {@code json}, for deployments like {@code reference}. */
  static PromptKeys of(GatewayRequest request, Deployment reference, JsonNode json) {
    String scope = request.tenant() + '\u0000' + request.model();
    String upstreamModel = reference.upstreamModel(request.model());
    CacheBehaviour cache = cache(reference, upstreamModel);
    Integer configured = reference.info().minCacheableTokens();
    if (cache.caching() == CacheBehaviour.Caching.AUTOMATIC) {
      // automatic caching: no markers, every boundary past the minimum is a candidate
      // the form the keys are computed on is the pair's canonical one: Responses passed through, or Messages
      JsonNode conversation = !cache.layout().openAiForm() ? asConversation(json)
          : request.operation().api() == ClientApi.RESPONSES ? ResponsesConversation.of(json) : json;
      AutomaticPrefixChain chain = AutomaticPrefixChain.ofChatCompletions(conversation, scope);
      int minimum = configured != null ? configured : cache.minimumTokens();
      return new PromptKeys(reference.id(), chain.lookupPlan(minimum), chain.pinPlan(minimum), null,
          session(request, json, scope));
    }
    // markers the gateway injects are part of what is sent, so they are part of what is hashed
    Buffer body = null;
    List<InjectionPoint> injection = reference.injectionPoints();
    if (!injection.isEmpty() && json instanceof ObjectNode object) {
      ObjectNode copy = object.deepCopy();
      InjectionPoints.Outcome outcome = InjectionPoints.apply(copy, injection.stream()
          .map(point -> new InjectionPoints.Point(point.role(), point.index(), null)).toList());
      if (outcome.injected() > 0) {
        json = copy;
        body = JsonBody.of(copy);
      }
    }
    PrefixChain chain = PrefixChain.ofMessages(json, scope);
    int minimum = configured != null ? configured
        : cache.minimumTokens() == CacheBehaviour.MODEL_MINIMUM ? MinimumCacheable.tokens(upstreamModel)
        : cache.minimumTokens();
    return new PromptKeys(reference.id(), LookupPlan.of(chain), PinPlan.of(chain, minimum), body,
        session(request, json, scope));
  }

  /** The session pin key of the request, when its client named one. */
  private static String session(GatewayRequest request, JsonNode json, String scope) {
    return SessionKey.of(json, request.headers()).map(id -> SessionKey.pinKey(scope, id)).orElse(null);
  }

  /**
   * An Anthropic request laid out as the conversation a provider with automatic caching sees (Gemini: tools, the
   * system instruction, then the turns). Anthropic text blocks have the shape of chat text parts, so the automatic
   * chain reads them as such; {@code cache_control} markers are ignored, as the provider ignores them.
   */
  private static JsonNode asConversation(JsonNode anthropic) {
    ObjectNode conversation = JSON.createObjectNode();
    if (anthropic.has("tools")) {
      conversation.set("tools", anthropic.get("tools"));
    }
    var messages = conversation.putArray("messages");
    JsonNode system = anthropic.get("system");
    if (system != null && !system.isNull()) {
      messages.addObject().put("role", "system").set("content", system);
    }
    anthropic.path("messages").forEach(messages::add);
    return conversation;
  }
}
