package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Gemini API of Google AI Studio: {@code POST /v1beta/models/{model}:generateContent}, {@code
 * :streamGenerateContent} (server-sent events with {@code alt=sse}, else one JSON array) and {@code :countTokens},
 * authenticated by {@code x-goog-api-key} with an account's API key.
 *
 * <p>Implicit caching as Gemini documents it: no markers; a request reads the longest prefix it shares with an
 * earlier prompt of the same account and model ({@link GeminiPrompt}: 128-token steps from 1024 tokens on, hits
 * below the model's minimum — 1024 for Flash, 4096 for Pro — not counted), reported as
 * {@code usageMetadata.cachedContentTokenCount}. Answers are the emulator's filler text, or a function call when
 * {@code toolConfig} forces one ({@code mode: ANY}). Errors come in Google's shape ({@link GeminiError}).
 */
final class GeminiApi {

  private static final String ACCOUNT = "emulator.gemini.account";
  private static final String ROUTE = "/v1beta/models/([^/:]+):(generateContent|streamGenerateContent|countTokens)";
  private static final String API_KEY = "x-goog-api-key";
  /** Output tokens per streamed chunk: Gemini streams a few words at a time, not token by token. */
  private static final int TOKENS_PER_CHUNK = 8;

  private final Vertx vertx;
  private final EmulatorState state;
  private final GeminiCaches caches;

  GeminiApi(Vertx vertx, EmulatorState state) {
    this.vertx = vertx;
    this.state = state;
    this.caches = GeminiCaches.of(state);
  }

  /** Mounts the routes under {@code /v1beta/}, a prefix no other emulated API uses. */
  void mount(Router router) {
    router.route("/v1beta/*").failureHandler(GeminiApi::answerFailure);
    router.postWithRegex(ROUTE).handler(this::handle);
    router.route("/v1beta/*").handler(ctx -> {
      throw GeminiError.notFound(ctx.request().path());
    });
  }

  private void handle(RoutingContext ctx) {
    String model = SigV4Verifier.percentDecode(ctx.pathParam("param0"));
    String method = ctx.pathParam("param1");
    AccountState account = authenticate(ctx);
    serve(ctx, account, model, method, caches.forAccount(account));
  }

  /**
   * Answers {@code method} ({@code generateContent}, {@code streamGenerateContent} or {@code countTokens}) of
   * {@code model} for {@code account}, already authenticated by whichever door the call came through (an API key
   * here, an access token on Vertex AI), reading and writing {@code cache}.
   */
  void serve(RoutingContext ctx, AccountState account, String model, String method, OpenAiPromptCache cache) {
    ctx.put(ACCOUNT, account);
    JsonObject body = body(RawBody.of(ctx));
    if (method.equals("countTokens")) {
      JsonObject request = body.getValue("generateContentRequest") instanceof JsonObject wrapped ? wrapped : body;
      AnthropicApi.sendJson(ctx, new JsonObject().put("totalTokens", GeminiPrompt.of(model, request).totalTokens())
          .encode());
      return;
    }
    ChatPrompt prompt = GeminiPrompt.of(model, body);
    OpenAiPromptCache.Plan plan = cache.plan(prompt, OpenAiPromptCache.Retention.IN_MEMORY, state.clock().now());
    long cached = plan.cachedTokens() >= GeminiPrompt.minimumCachedTokens(model) ? plan.cachedTokens() : 0;
    Answer answer = Answer.compose(model, body, prompt, cached, state.defaultOutputTokens());
    Usage usage = new Usage(prompt.totalTokens() - cached, 0, 0, cached, answer.outputTokens());
    long delay = state.latency().firstTokenDelayMillis(usage);
    later(delay, () -> {
      cache.commit(plan, state.clock().now());
      account.ledger().recordInput("gemini:" + model, usage.withOutputTokens(0));
      account.ledger().recordOutput("gemini:" + model, answer.outputTokens());
      if (method.equals("generateContent")) {
        AnthropicApi.sendJson(ctx, answer.complete().encode());
      } else if ("sse".equals(ctx.request().getParam("alt"))) {
        stream(ctx.response(), answer.chunks(TOKENS_PER_CHUNK), 0);
      } else {
        AnthropicApi.sendJson(ctx, new JsonArray(List.copyOf(answer.chunks(TOKENS_PER_CHUNK))).encode());
      }
    });
  }

  private void stream(HttpServerResponse response, List<JsonObject> chunks, int next) {
    if (next == 0) {
      response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
    }
    if (response.closed()) {
      return;
    }
    if (next == chunks.size()) {
      response.end();
      return;
    }
    response.write(Buffer.buffer("data: " + chunks.get(next).encode() + "\r\n\r\n"));
    later(state.latency().millisPerOutputToken() * TOKENS_PER_CHUNK, () -> stream(response, chunks, next + 1));
  }

  private void later(long millis, Runnable action) {
    FaultPlay.later(vertx, millis, action);
  }

  private AccountState authenticate(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String key = request.getHeader(API_KEY);
    if (key == null || key.isBlank()) {
      throw GeminiError.missingKey();
    }
    AccountState account = state.accountForKey(key.trim());
    if (account == null) {
      throw GeminiError.invalidKey();
    }
    ctx.put(ACCOUNT, account);
    Map<String, String> headers = CapturedRequest.redacted(request.headers());
    headers.put(API_KEY, CapturedRequest.REDACTED);
    account.requests().add(new CapturedRequest(request.method().name(), request.uri(), headers,
        RawBody.of(ctx).toString(StandardCharsets.UTF_8), state.clock().now()));
    account.ledger().countRequest();
    return account;
  }

  private static JsonObject body(Buffer raw) {
    try {
      if (raw.length() > 0 && raw.toJsonValue() instanceof JsonObject json) {
        return json;
      }
    } catch (DecodeException malformed) {
      // answered below, as Google does for any body it cannot read
    }
    throw GeminiError.invalidArgument("Invalid JSON payload received.");
  }

  static void answerFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    GeminiError error = failure instanceof GeminiError gemini ? gemini
        : GeminiError.forStatus(ctx.statusCode() >= 400 ? ctx.statusCode() : 500);
    AccountState account = ctx.get(ACCOUNT);
    if (account != null) {
      account.ledger().countError();
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      ctx.request().connection().close();
      return;
    }
    response.setStatusCode(error.code()).putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON)
        .end(error.toJson().encode());
  }

  /** What the model answers to one request: filler text, or the function call {@code toolConfig} forces. */
  private record Answer(String id, String model, List<String> pieces, JsonObject functionCall, String finishReason,
      long promptTokens, long cachedTokens) {

    static Answer compose(String model, JsonObject request, ChatPrompt prompt, long cachedTokens,
        int defaultOutputTokens) {
      JsonObject generation = request.getValue("generationConfig") instanceof JsonObject config ? config
          : new JsonObject();
      int maxTokens = generation.getValue("maxOutputTokens") instanceof Number max ? max.intValue()
          : defaultOutputTokens;
      int tokens = Math.max(0, Math.min(maxTokens, defaultOutputTokens));
      JsonObject forced = forcedFunction(request);
      if (forced != null) {
        JsonObject parameters = forced.getValue("parameters") instanceof JsonObject schema ? schema
            : new JsonObject();
        JsonObject call = new JsonObject().put("name", forced.getValue("name"))
            .put("args", AssistantReply.sampleObject(parameters));
        return new Answer(responseId(), model, List.of(), call, "STOP", prompt.totalTokens(), cachedTokens);
      }
      return new Answer(responseId(), model, AssistantReply.fillerPieces(prompt.fingerprint(), tokens), null,
          maxTokens < defaultOutputTokens ? "MAX_TOKENS" : "STOP", prompt.totalTokens(), cachedTokens);
    }

    private static String responseId() {
      return UUID.randomUUID().toString().replace("-", "").substring(0, 22);
    }

    /** The declaration a {@code mode: ANY} tool config forces: the first allowed one, or the first of all. */
    private static JsonObject forcedFunction(JsonObject request) {
      JsonObject calling = request.getValue("toolConfig") instanceof JsonObject config
          && config.getValue("functionCallingConfig") instanceof JsonObject c ? c : null;
      if (calling == null || !"ANY".equals(calling.getValue("mode"))
          || !(request.getValue("tools") instanceof JsonArray tools)) {
        return null;
      }
      List<?> allowed = calling.getValue("allowedFunctionNames") instanceof JsonArray names ? names.getList()
          : List.of();
      for (Object tool : tools) {
        if (tool instanceof JsonObject object && object.getValue("functionDeclarations") instanceof JsonArray all) {
          for (Object declaration : all) {
            if (declaration instanceof JsonObject function
                && (allowed.isEmpty() || allowed.contains(function.getValue("name")))) {
              return function;
            }
          }
        }
      }
      return null;
    }

    long outputTokens() {
      return functionCall == null ? pieces.size()
          : TokenCount.ofCanonicalJson(CanonicalJson.of(functionCall));
    }

    JsonObject complete() {
      JsonArray parts = new JsonArray();
      if (functionCall != null) {
        parts.add(new JsonObject().put("functionCall", functionCall));
      } else {
        parts.add(new JsonObject().put("text", String.join("", pieces)));
      }
      return response(parts, finishReason, outputTokens());
    }

    /** The streamed answer: {@code perChunk} tokens of text a chunk, the last one with the finish reason. */
    List<JsonObject> chunks(int perChunk) {
      if (functionCall != null) {
        return List.of(complete());
      }
      List<JsonObject> chunks = new ArrayList<>();
      long sent = 0;
      for (int i = 0; i < pieces.size() || i == 0; i += perChunk) {
        List<String> slice = pieces.subList(Math.min(i, pieces.size()), Math.min(i + perChunk, pieces.size()));
        sent += slice.size();
        boolean last = i + perChunk >= pieces.size();
        chunks.add(response(new JsonArray().add(new JsonObject().put("text", String.join("", slice))),
            last ? finishReason : null, sent));
      }
      return chunks;
    }

    private JsonObject response(JsonArray parts, String finish, long outputTokens) {
      JsonObject candidate = new JsonObject()
          .put("content", new JsonObject().put("parts", parts).put("role", "model"))
          .put("index", 0);
      if (finish != null) {
        candidate.put("finishReason", finish);
      }
      JsonObject usage = new JsonObject()
          .put("promptTokenCount", promptTokens)
          .put("candidatesTokenCount", outputTokens)
          .put("totalTokenCount", promptTokens + outputTokens);
      if (cachedTokens > 0) {
        usage.put("cachedContentTokenCount", cachedTokens);
      }
      return new JsonObject().put("candidates", new JsonArray().add(candidate)).put("usageMetadata", usage)
          .put("modelVersion", model).put("responseId", id);
    }
  }
}
