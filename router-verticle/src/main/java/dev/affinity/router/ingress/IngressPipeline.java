package dev.affinity.router.ingress;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.Caller;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.cache.SessionKey;
import dev.affinity.router.node.NodeState;
import dev.affinity.router.routing.BodyBytes;
import dev.affinity.router.routing.PromptKeys;
import dev.affinity.router.routing.TagFields;
import dev.affinity.router.tenancy.Identity;
import dev.affinity.router.tenancy.Tenancy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one way into the gateway, whatever carries the request (HTTP, the event bus): admission, the caller's key
 * (master or virtual), parsing and the client API's checks, the forwarded headers, and the {@link GatewayRequest}
 * the router takes, held to the key's models, limits and budget. Each front end keeps only its transport: where
 * headers and body come from, and how the answer and errors go back. The steps are separate because HTTP takes them
 * at different moments (the key and the slot before the body is read); {@link #accept(Inbound, Identity, Context)}
 * takes the body steps at once for a transport that has everything.
 */
public final class IngressPipeline {

  private static final Logger LOG = Logger.getLogger(IngressPipeline.class.getName());
  // a duplicate key is refused: with two "model" keys the parser kept the last while the rewrite changed the first.
  // Found as the tree is built (a replaced field), not by the parser's own detector, which keeps a set of every
  // object's names besides the object's map: 94 KB allocated per 50 KB body instead of 108 (docs/benchmarks.md).
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
  static {
    // bound what a hostile body can make the parser do: deep nesting is refused before it costs stack
    JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build());
  }

  /**
   * A request as a front end received it.
   *
   * @param requestId the gateway's id for it, chosen by the front end (which names it in its own log line)
   * @param operation what the client asked for, in which client API
   * @param model     the model the transport names (a path segment, say), or null to take the body's {@code model}
   * @param body      the body's bytes as the client sent them: parsed in place, never copied
   * @param headers   the client's headers (HTTP) or the call's forwarded headers (event bus)
   * @param query     the query string to forward upstream, or null
   * @param scope     a cache scope the master key asks for (the event bus's {@code tenant}), or null; a virtual key's
   *                  scope is its team's or its own, whatever it asks
   */
  public record Inbound(String requestId, Operation operation, String model, Buffer body, MultiMap headers,
                        String query, String scope) {
  }

  /** An accepted request and the hold on its key's limits, released when its answer is over. */
  public record Accepted(GatewayRequest request, Tenancy.Grant grant) {
    /**
     * What gives the key's hold back once the answer is over. It keeps nothing of the request: a stream may last
     * minutes, and its request (body, parsed tree) must be garbage once the answer has begun.
     */
    public Runnable releaser() {
      Tenancy.Grant held = grant;
      return held == null ? () -> { } : held::release;
    }
  }

  private final GatewayConfig config;
  private final NodeState node;
  private final CallerCheck callers;

  /** @param tenancy the node's virtual keys and teams, or null when no master key is configured */
  public IngressPipeline(GatewayConfig config, NodeState node, Tenancy tenancy) {
    this.config = config;
    this.node = node;
    this.callers = new CallerCheck(config.general().masterKey(), tenancy);
  }

  /**
   * Step 1, admission: counts the request in, or says why not (the node drains, or serves as many requests as it
   * may). An admitted request is {@link #release}d once its answer is over, a stream's at its last byte.
   *
   * @return null when admitted, else the refusal
   */
  public GatewayError admit() {
    if (node.draining()) {
      return GatewayError.overloaded("this gateway node is shutting down; retry and another node will answer");
    }
    if (!node.tryAdmit()) {
      return GatewayError.overloaded("this gateway node is serving " + node.maxInFlight()
          + " requests, its limit (general_settings.global_max_parallel_requests); retry shortly");
    }
    return null;
  }

  /** Gives back the slot {@link #admit} took. */
  public void release() {
    node.release();
  }

  /**
   * Step 2, the caller: the key in {@code x-api-key} or {@code Authorization: Bearer}, the master key or a virtual
   * one. Fails with a {@link Tenancy.Refusal} (see {@link #refusal}); needs no database.
   *
   * @param client the caller's address, for the audit trail
   */
  public Future<Identity> identify(MultiMap headers, String client, Context context) {
    return callers.identify(headers, client, context);
  }

  /**
   * The error a failed {@link #identify} or {@link #accept} answers with: the key's refusal (403 model, 429 limit or
   * budget, 401 blocked), {@code unauthorized} for a missing or unknown key, a 503 when the key could not be checked.
   */
  public static GatewayError refusal(Throwable failure, String unauthorized) {
    if (failure instanceof Tenancy.Refusal refusal) {
      GatewayError error = refusal.error();
      return error == Tenancy.UNKNOWN_KEY ? GatewayError.authentication(unauthorized) : error;
    }
    if (failure instanceof GatewayErrorException carried) {
      return carried.error();
    }
    LOG.log(Level.WARNING, "could not check a caller's key", failure);
    return new GatewayError(503, "api_error", "the gateway could not check the key; retry shortly");
  }

  /** Steps 3 to 5 at once: {@link #parse}, then {@link #accept(Inbound, JsonNode, Identity, Context)}. */
  public Future<Accepted> accept(Inbound inbound, Identity identity, Context context) {
    JsonNode json;
    try {
      json = parse(inbound.body());
    } catch (GatewayErrorException malformed) {
      return Future.failedFuture(malformed);
    }
    return accept(inbound, json, identity, context);
  }

  /**
   * Step 3a, parsing: the body read once, from its own bytes; a duplicate key, deep nesting or broken JSON is a 400
   * naming where.
   */
  public static JsonNode parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw GatewayError.invalidRequest("request body is empty; a JSON object is required").toReplyException();
    }
    try {
      return BodyBytes.read(body, (bytes, offset, length) -> JSON.readTree(bytes, offset, length));
    } catch (JsonProcessingException malformed) {
      // a parser limit (nesting depth, say) is reported without a location
      JsonLocation at = malformed.getLocation();
      throw GatewayError.invalidRequest("malformed JSON"
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + ": " + clientMessage(malformed)).toReplyException();
    } catch (IOException unreadable) {
      throw GatewayError.invalidRequest("request body could not be read as JSON").toReplyException();
    }
  }

  /** The parser's complaint in the client's terms: a duplicate key without the name of Jackson's setting. */
  private static String clientMessage(JsonProcessingException malformed) {
    String message = malformed.getOriginalMessage();
    int setting = message == null ? -1 : message.indexOf(" for `ObjectNode`");
    return setting > 0 && message.startsWith("Duplicate field") ? message.substring(0, setting) : message;
  }

  /**
   * Steps 3b to 5: the client API's checks, the request (its id, forwarded headers, the caller's scope, the prompt's
   * keys hashed here rather than on the router's one event loop), then the key's models, limits and budget, counted
   * cluster-wide. Fails with a {@link GatewayErrorException} for the client's mistakes, a {@link Tenancy.Refusal}
   * for the key's; both read through {@link #refusal}.
   */
  public Future<Accepted> accept(Inbound inbound, JsonNode json, Identity identity, Context context) {
    GatewayError invalid = check(inbound.operation(), json);
    if (invalid == null && inbound.operation() == Operation.RESPONSES && identity.countsUsage()
        && json.path("background").asBoolean(false)) {
      // its answer is "queued", without usage: its tokens are booked once it is read back finished, after they are
      // spent, too late for a budget or token limit to stop them (BackgroundResponses)
      invalid = GatewayError.invalidField("background", "background: not served for a key with a max_budget or"
          + " tpm_limit (its own or its team's): a background response's usage is known only after it is spent, so"
          + " the gateway could not hold it to them; send the request without background");
    }
    if (invalid != null) {
      return Future.failedFuture(invalid.toReplyException());
    }
    Caller caller = identity.caller();
    if (caller.virtualKey()) {
      try {
        caller = caller.attributed(RequestAttribution.read(json, inbound.headers(), identity));
      } catch (GatewayErrorException mistake) {
        return Future.failedFuture(mistake);
      }
    }
    // LiteLLM's tags are the gateway's, whoever sent them: never forwarded
    Buffer body = json instanceof ObjectNode object ? TagFields.remove(inbound.body(), object) : inbound.body();
    String model = inbound.model() != null ? inbound.model() : json.get("model").asText();
    boolean stream = !inbound.operation().countsTokens() && json.path("stream").asBoolean(false);
    String scope = caller.admin() && inbound.scope() != null ? inbound.scope() : caller.tenant();
    GatewayRequest parsed = new GatewayRequest(inbound.requestId(), inbound.operation(), model, stream, scope,
        forwardedHeaders(inbound.headers()), inbound.query(), body, json, caller);
    GatewayRequest request = parsed.withPrepared(PromptKeys.prepare(config, parsed));
    return callers.admit(identity, model, context).map(grant -> new Accepted(request, grant));
  }

  /**
   * Steps 3 to 5 for an operation on a stored response ({@link Operation#onStoredResponse()}): nothing to parse or
   * check, no model named. The key's limits and budget are held as for any request; its models are the router's to
   * check, once the response's id has said which alias it belongs to, as for a follow-up naming it
   * ({@code Tenants.reachable}).
   *
   * @param storedId the response's id, as the client gave it
   * @param query    the query to send upstream ({@link StoredResponseQuery}), or null
   * @param stream   whether the answer is the response's events (a retrieve with {@code stream=true})
   */
  public Future<Accepted> acceptStored(String requestId, Operation operation, String storedId, String query,
                                       boolean stream, Identity identity, Context context) {
    Caller caller = identity.caller();
    GatewayRequest request = GatewayRequest.onStored(requestId, operation, storedId, caller.tenant(), query, caller,
        stream);
    return callers.admit(identity, null, context).map(grant -> new Accepted(request, grant));
  }

  /** The client API's own checks on the fields the gateway relies on; null when the request can be routed. */
  public static GatewayError check(Operation operation, JsonNode json) {
    return switch (operation.api()) {
      case OPENAI -> OpenAiRequestCheck.check(json);
      case RESPONSES -> ResponsesRequestCheck.check(json);
      default -> AnthropicRequestCheck.check(json, operation);
    };
  }

  /**
   * Provider headers the client set that the upstream must see (the client's credentials are not among them), and
   * Claude Code's session id, which the router places sessions by and the upstream sees as it would directly.
   */
  static Map<String, String> forwardedHeaders(MultiMap given) {
    Map<String, String> headers = new HashMap<>();
    if (given == null) {
      return headers;
    }
    given.forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith("anthropic-") || lower.equals(SessionKey.HEADER)) {
        headers.merge(lower, value, (first, second) -> first + "," + second);
      }
    });
    return headers;
  }
}
