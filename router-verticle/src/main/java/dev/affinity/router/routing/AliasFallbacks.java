package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.config.ModelGroups;
import dev.affinity.provider.translate.ResponseIds;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * LiteLLM's fallbacks across aliases: when every try on a request's alias has failed in a way that is not the
 * client's fault (no answer, 429, 5xx, 529; retries on the alias's own deployments come first), the aliases of
 * {@code fallbacks} are tried in order; when the answer says the prompt exceeds the model's context window, those of
 * {@code context_window_fallbacks}. The first answer that is not such a failure is the client's, marked with
 * {@code x-affinity-fallback}; when every fallback fails too, the client gets the original failure. A Responses API
 * follow-up of a stored response has no fallback: the response exists at one deployment only.
 */
final class AliasFallbacks {

  static final String HEADER = "x-affinity-fallback";
  private static final Logger LOG = Logger.getLogger(AliasFallbacks.class.getName());
  /** How providers word a prompt that does not fit (OpenAI, Anthropic, Bedrock, Gemini, vLLM, Azure...). */
  private static final List<String> CONTEXT_WINDOW_WORDS = List.of("context_length_exceeded", "context length",
      "context window", "prompt is too long", "input is too long", "too many input tokens",
      "exceeds the maximum number of tokens", "maximum context length");

  private final ModelGroups groups;
  private final Function<GatewayRequest, Future<GatewayReply>> alias;

  /** @param alias serves a request on its own alias, retries included */
  AliasFallbacks(ModelGroups groups, Function<GatewayRequest, Future<GatewayReply>> alias) {
    this.groups = groups;
    this.alias = alias;
  }

  Future<GatewayReply> dispatch(GatewayRequest request) {
    return alias.apply(request).transform(original -> {
      if (request.operation() == Operation.RESPONSES && ResponseIds.continuesStored(request.json())) {
        // the response it continues exists at one deployment only: no other alias can answer in its place
        return settled(original);
      }
      Cause cause = cause(original);
      List<String> fallbacks = cause == Cause.NONE ? List.of()
          : groups.fallbacksFor(request.model(), cause == Cause.CONTEXT_WINDOW);
      return fallbacks.isEmpty() ? settled(original) : next(request, fallbacks, 0, original);
    });
  }

  private Future<GatewayReply> next(GatewayRequest request, List<String> fallbacks, int index,
                                    AsyncResult<GatewayReply> original) {
    if (index >= fallbacks.size()) {
      return settled(original);
    }
    String fallback = fallbacks.get(index);
    LOG.info(() -> "request=" + request.requestId() + " falls back from '" + request.model() + "' to '" + fallback
        + "'");
    return alias.apply(as(request, fallback)).transform(result -> {
      if (cause(result) == Cause.NONE) {
        return Future.succeededFuture(marked(result.result(), fallback));
      }
      if (result.succeeded() && result.result().stream() != null) {
        result.result().stream().cancel();
      }
      return next(request, fallbacks, index + 1, original);
    });
  }

  private static Future<GatewayReply> settled(AsyncResult<GatewayReply> outcome) {
    return outcome.succeeded() ? Future.succeededFuture(outcome.result()) : Future.failedFuture(outcome.cause());
  }

  /** The request for another alias: its body and parsed tree name that alias (a copy: the first try keeps its own). */
  private static GatewayRequest as(GatewayRequest request, String alias) {
    JsonNode json = request.json();
    if (json instanceof ObjectNode object) {
      ObjectNode copy = object.deepCopy();
      copy.put("model", alias);
      json = copy;
    }
    return new GatewayRequest(request.requestId(), request.operation(), alias, request.stream(), request.tenant(),
        request.headers(), request.query(), ModelField.replace(request.body(), alias), json, request.caller());
  }

  private static GatewayReply marked(GatewayReply reply, String fallback) {
    Map<String, String> headers = new HashMap<>(reply.headers());
    headers.put(HEADER, fallback);
    return new GatewayReply(reply.status(), headers, reply.body(), reply.stream(), reply.deploymentId(),
        reply.route(), reply.outcome());
  }

  enum Cause { NONE, UPSTREAM, CONTEXT_WINDOW }

  /** Why an outcome calls for a fallback, if it does. */
  static Cause cause(AsyncResult<GatewayReply> outcome) {
    int status;
    String text;
    if (outcome.succeeded()) {
      status = outcome.result().status();
      text = outcome.result().body() != null && status >= 400 ? outcome.result().body().toString() : "";
    } else if (outcome.cause() instanceof ReplyException reply) {
      status = reply.failureCode();
      text = String.valueOf(reply.getMessage());
    } else {
      status = 500;
      text = "";
    }
    if (status < 400) {
      return Cause.NONE;
    }
    if (DeploymentHealth.upstreamFault(status)) {
      return Cause.UPSTREAM;
    }
    return (status == 400 || status == 413) && contextWindowExceeded(text) ? Cause.CONTEXT_WINDOW : Cause.NONE;
  }

  static boolean contextWindowExceeded(String errorText) {
    String lower = errorText.toLowerCase(Locale.ROOT);
    return CONTEXT_WINDOW_WORDS.stream().anyMatch(lower::contains);
  }
}
