package dev.affinity.router.tenancy;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One node: LiteLLM's key and team endpoints, a virtual key for inference, what it may not do, its limits and
 * budget, and tenants whose pins stay apart.
 */
class KeyManagementTest {

  private static final String MASTER = "sk-key-management-master";
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;
  /** Every key this test was given, none of which may appear in a log line. */
  private static final List<String> issued = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("a1", "sk-a1").addAccount("a2", "sk-a2")));
    gateway = TestGateway.start("general_settings: {master_key: " + MASTER + "}\n"
        + TestGateway.modelList("sonnet", emulator.baseUrl(), List.of("a1", "a2"))
        + """
          - model_name: haiku
            litellm_params:
              {model: anthropic/claude-haiku-4-5, api_key: sk-a1, api_base: "%s", tags: [haiku-deployment]}
            model_info: {id: h1, access_groups: [fast-models]}
        """.formatted(emulator.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
    logs.close();
  }

  @AfterEach
  void noKeyLogged() {
    assertThat(logs.all()).doesNotContain(MASTER);
    issued.forEach(key -> assertThat(logs.all()).doesNotContain(key));
  }

  static JsonObject admin(String path, JsonObject body) throws Exception {
    HttpResponse<String> response = gateway.post(path, body.encode(), "authorization", "Bearer " + MASTER,
        "content-type", "application/json");
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  static String newKey(JsonObject fields) throws Exception {
    String key = admin("/key/generate", fields).getString("key");
    issued.add(key);
    return key;
  }

  static String message(String model, String text) {
    return new JsonObject().put("model", model).put("max_tokens", 16)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text))).encode();
  }

  static HttpResponse<String> infer(String key, String model) throws Exception {
    return gateway.post("/v1/messages", message(model, "hello"), "x-api-key", key, "anthropic-version", "2023-06-01");
  }

  @Test
  void aGeneratedKeyIsShownOnceKeptHashedAndInfersWithEitherHeader() throws Exception {
    JsonObject generated = admin("/key/generate", new JsonObject().put("key_alias", "shown-once")
        .put("models", new JsonArray().add("sonnet")).put("metadata", new JsonObject().put("env", "test"))
        .put("duration", "30d"));
    String key = generated.getString("key");
    issued.add(key);
    assertThat(key).startsWith("sk-").hasSizeGreaterThan(20);
    assertThat(generated.getString("token")).isEqualTo(KeyToken.hash(key));
    assertThat(generated.getString("key_alias")).isEqualTo("shown-once");
    assertThat(generated.getString("expires")).isNotNull();
    assertThat(infer(key, "sonnet").statusCode()).isEqualTo(200);
    HttpResponse<String> bearer = gateway.post("/v1/messages", message("sonnet", "hi"), "authorization",
        "Bearer " + key, "anthropic-version", "2023-06-01");
    assertThat(bearer.statusCode()).isEqualTo(200);
    // a tenant is not told where its prompt went: that tells whether someone else sent it recently
    assertThat(bearer.headers().firstValue("x-affinity-route")).isEmpty();
    assertThat(bearer.headers().firstValue("x-affinity-deployment")).isEmpty();
    assertThat(bearer.headers().firstValue("x-affinity-request-id")).isPresent();
    // the audit: every request line names the key by its hash prefix (and the client), every admin action is logged
    String requestId = bearer.headers().firstValue("x-affinity-request-id").orElseThrow();
    String hashPrefix = KeyToken.hash(key).substring(0, 12);
    // both lines are written as the answer ends, a moment after the client has it
    // (the request line on a thread of its own)
    TestGateway.eventually(logs::all, all -> all.contains("path=/v1/messages status=200 duration_ms")
        && all.contains("request=" + requestId + " model="));
    assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("affinity.access")
        .contains("request=" + requestId).contains("key=" + hashPrefix).contains("client=127.0.0.1"));
    assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("affinity.requests")
        .contains("request=" + requestId).contains("key=" + hashPrefix).contains("client=127.0.0.1"));
    assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("admin action=POST /key/generate")
        .contains("key=" + hashPrefix).contains("alias=shown-once"));

    HttpResponse<String> info = gateway.get("/key/info?key=" + key, "x-api-key", MASTER);
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(info.body()).doesNotContain(key);
    JsonObject infoJson = new JsonObject(info.body());
    assertThat(infoJson.getString("key")).isEqualTo(KeyToken.hash(key));
    assertThat(infoJson.getJsonObject("info").getJsonObject("metadata").getString("env")).isEqualTo("test");
    // the key may read its own info, by the key or with no parameter
    assertThat(gateway.get("/key/info", "x-api-key", key).statusCode()).isEqualTo(200);
    HttpResponse<String> list = gateway.get("/key/list?key_alias=shown-once", "x-api-key", MASTER);
    assertThat(new JsonObject(list.body()).getJsonArray("keys")).containsExactly(KeyToken.hash(key));
    assertThat(list.body()).doesNotContain(key);
  }

  @Test
  void aKeyThisNodeHasNotCopiedYetIsAskedOfTheClusterWhileTheBodyWaits() throws Exception {
    String key = newKey(new JsonObject());
    gateway.node().tenancy().directory().forgetCopy(KeyToken.hash(key));
    HttpResponse<String> answered = gateway.post("/v1/messages", message("sonnet", "x".repeat(200_000)),
        "x-api-key", key, "anthropic-version", "2023-06-01");
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
  }

  @Test
  void virtualKeysCannotAdministerAndUnknownKeysAreRefused() throws Exception {
    String key = newKey(new JsonObject());
    for (String path : List.of("/key/generate", "/key/delete", "/team/new", "/key/update")) {
      HttpResponse<String> refused = gateway.post(path, "{}", "x-api-key", key);
      assertThat(refused.statusCode()).as(path).isEqualTo(403);
      assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("message"))
          .contains("master key");
    }
    assertThat(gateway.get("/key/list", "x-api-key", key).statusCode()).isEqualTo(403);
    assertThat(gateway.get("/affinity/stats", "x-api-key", key).statusCode()).isEqualTo(403);
    assertThat(gateway.get("/affinity/pins", "x-api-key", key).statusCode()).isEqualTo(403);
    String other = newKey(new JsonObject());
    assertThat(gateway.get("/key/info?key=" + other, "x-api-key", key).statusCode()).isEqualTo(403);
    HttpResponse<String> unknown = infer("sk-" + UUID.randomUUID(), "sonnet");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(unknown.body()).getJsonObject("error").getString("type"))
        .isEqualTo("authentication_error");
    assertThat(gateway.post("/key/generate", "{}", "x-api-key", "sk-" + UUID.randomUUID()).statusCode())
        .isEqualTo(401);
  }

  /**
   * LiteLLM's model access groups ({@code model_info.access_groups}): a key or team naming a group may call its
   * models, and lists them. A migrated key with {@code models: [fast-models]} was refused every model before.
   */
  @Test
  void aModelAccessGroupGrantsItsModels() throws Exception {
    String key = newKey(new JsonObject().put("models", new JsonArray().add("fast-models")));
    assertThat(infer(key, "haiku").statusCode()).isEqualTo(200);
    HttpResponse<String> notInGroup = infer(key, "sonnet");
    assertThat(notInGroup.statusCode()).isEqualTo(403);
    assertThat(notInGroup.body()).contains("permission_error").contains("fast-models");
    assertThat(new JsonObject(gateway.get("/v1/models", "x-api-key", key).body()).getJsonArray("data").stream()
        .map(model -> ((JsonObject) model).getString("id"))).containsExactly("haiku");

    String team = admin("/team/new", new JsonObject().put("models", new JsonArray().add("fast-models")))
        .getString("team_id");
    String inTeam = newKey(new JsonObject().put("team_id", team));
    assertThat(infer(inTeam, "haiku").statusCode()).isEqualTo(200);
    assertThat(infer(inTeam, "sonnet").statusCode()).isEqualTo(403);
  }

  /**
   * LiteLLM's /model/info: each deployment the caller may call, with its prices, and nothing that reaches an account
   * (no key, no api_base).
   */
  @Test
  void modelInfoListsTheDeploymentsACallerMayCallWithoutTheirSecrets() throws Exception {
    HttpResponse<String> all = gateway.get("/model/info", "authorization", "Bearer " + MASTER);
    assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
    JsonArray data = new JsonObject(all.body()).getJsonArray("data");
    assertThat(data.stream().map(entry -> ((JsonObject) entry).getJsonObject("model_info").getString("id")))
        .containsExactly("a1", "a2", "h1");
    JsonObject sonnet = data.getJsonObject(0);
    assertThat(sonnet.getString("model_name")).isEqualTo("sonnet");
    assertThat(sonnet.getJsonObject("litellm_params").getString("model")).isEqualTo("anthropic/claude-sonnet-4-5");
    assertThat(sonnet.getJsonObject("model_info").getDouble("input_cost_per_token")).isPositive();
    assertThat(data.getJsonObject(2).getJsonObject("model_info").getJsonArray("access_groups"))
        .containsExactly("fast-models");
    assertThat(all.body()).doesNotContain("sk-a1", "sk-a2", "api_key", emulator.baseUrl());

    assertThat(new JsonObject(gateway.get("/v1/model/info?litellm_model_id=a2", "authorization", "Bearer " + MASTER)
        .body()).getJsonArray("data")).singleElement()
        .satisfies(entry -> assertThat(((JsonObject) entry).getJsonObject("model_info").getString("id"))
            .isEqualTo("a2"));
    String grouped = newKey(new JsonObject().put("models", new JsonArray().add("fast-models")));
    assertThat(new JsonObject(gateway.get("/model/info", "authorization", "Bearer " + grouped).body())
        .getJsonArray("data").stream().map(entry -> ((JsonObject) entry).getString("model_name")))
        .containsExactly("haiku");
    HttpResponse<String> unknown = gateway.get("/model/info", "authorization", "Bearer sk-not-a-key-000000000");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(unknown.body()).getJsonObject("error").getString("message")).isNotBlank();
  }

  /** LiteLLM's /key/block, /key/unblock, /team/block and /team/unblock, by key or token hash. */
  @Test
  void keysAndTeamsAreBlockedAndUnblockedAsInLiteLlm() throws Exception {
    String key = newKey(new JsonObject());
    assertThat(admin("/key/block", new JsonObject().put("key", key)).getBoolean("blocked")).isTrue();
    assertThat(infer(key, "haiku").statusCode()).isEqualTo(401);
    assertThat(admin("/key/unblock", new JsonObject().put("key", KeyToken.hash(key))).getBoolean("blocked"))
        .isFalse();
    assertThat(infer(key, "haiku").statusCode()).isEqualTo(200);

    String team = admin("/team/new", new JsonObject()).getString("team_id");
    String member = newKey(new JsonObject().put("team_id", team));
    admin("/team/block", new JsonObject().put("team_id", team));
    assertThat(infer(member, "haiku").statusCode()).isEqualTo(401);
    admin("/team/unblock", new JsonObject().put("team_id", team));
    assertThat(infer(member, "haiku").statusCode()).isEqualTo(200);

    HttpResponse<String> unnamed = gateway.post("/key/block", "{}", "authorization", "Bearer " + MASTER,
        "content-type", "application/json");
    assertThat(unnamed.statusCode()).isEqualTo(400);
    assertThat(unnamed.body()).contains("key");
    assertThat(gateway.post("/key/block", new JsonObject().put("key", key).encode(), "authorization",
        "Bearer " + key, "content-type", "application/json").statusCode()).as("not by the key itself")
        .isIn(401, 403);
  }

  @Test
  void modelAccessBlockingAndDeletion() throws Exception {
    String key = newKey(new JsonObject().put("models", new JsonArray().add("haiku")));
    HttpResponse<String> wrongModel = infer(key, "sonnet");
    assertThat(wrongModel.statusCode()).isEqualTo(403);
    assertThat(wrongModel.body()).contains("permission_error").contains("sonnet");
    HttpResponse<String> models = gateway.get("/v1/models", "x-api-key", key);
    assertThat(new JsonObject(models.body()).getJsonArray("data")).hasSize(1);
    assertThat(gateway.get("/v1/models/haiku", "x-api-key", key).statusCode()).isEqualTo(200);
    assertThat(gateway.get("/v1/models/sonnet", "x-api-key", key).statusCode()).as("not listed, not found")
        .isEqualTo(404);
    // Bedrock's list of inference profiles, as a Bedrock client sends the key: only the model the key may call
    HttpResponse<String> profiles = gateway.get("/inference-profiles", "authorization", "Bearer " + key);
    assertThat(profiles.statusCode()).as(profiles.body()).isEqualTo(200);
    assertThat(new JsonObject(profiles.body()).getJsonArray("inferenceProfileSummaries").stream()
        .map(summary -> ((JsonObject) summary).getString("inferenceProfileId")))
        .containsExactly("global.anthropic.claude-haiku-4-5-v1:0");
    assertThat(gateway.get("/inference-profiles/global.anthropic.claude-sonnet-4-5-v1:0", "authorization",
        "Bearer " + key).statusCode()).isEqualTo(404);
    assertThat(infer(key, "haiku").statusCode()).isEqualTo(200);

    admin("/key/update", new JsonObject().put("key", key).put("blocked", true));
    HttpResponse<String> blocked = infer(key, "haiku");
    assertThat(blocked.statusCode()).isEqualTo(401);
    assertThat(blocked.body()).contains("blocked");
    admin("/key/update", new JsonObject().put("key", KeyToken.hash(key)).put("blocked", false));
    assertThat(infer(key, "haiku").statusCode()).isEqualTo(200);

    JsonObject deleted = admin("/key/delete", new JsonObject().put("keys", new JsonArray().add(key)));
    assertThat(deleted.getJsonArray("deleted_keys")).containsExactly(KeyToken.hash(key));
    assertThat(infer(key, "haiku").statusCode()).isEqualTo(401);
  }

  @Test
  void regeneratedKeyKeepsItsIdAndTheOldValueStopsWorking() throws Exception {
    JsonObject generated = admin("/key/generate", new JsonObject().put("key_alias", "to-regenerate"));
    String old = generated.getString("key");
    issued.add(old);
    JsonObject regenerated = admin("/key/regenerate", new JsonObject().put("key", old));
    String fresh = regenerated.getString("key");
    issued.add(fresh);
    assertThat(fresh).isNotEqualTo(old);
    assertThat(regenerated.getString("token_id")).isEqualTo(generated.getString("token_id"));
    assertThat(infer(old, "sonnet").statusCode()).isEqualTo(401);
    assertThat(infer(fresh, "sonnet").statusCode()).isEqualTo(200);
  }

  @Test
  void teamsHoldKeysAndTheirLimits() throws Exception {
    String teamId = "team-" + UUID.randomUUID();
    JsonObject team = admin("/team/new", new JsonObject().put("team_id", teamId).put("team_alias", "Blue")
        .put("models", new JsonArray().add("sonnet")).put("rpm_limit", 100));
    assertThat(team.getString("team_id")).isEqualTo(teamId);
    assertThat(team.getLong("rpm_limit")).isEqualTo(100);
    String key = newKey(new JsonObject().put("team_id", teamId));
    assertThat(infer(key, "haiku").statusCode()).isEqualTo(403);
    assertThat(infer(key, "sonnet").statusCode()).isEqualTo(200);
    JsonObject updated = admin("/team/update", new JsonObject().put("team_id", teamId).put("team_alias", "Green"));
    assertThat(updated.getJsonObject("data").getString("team_alias")).isEqualTo("Green");
    JsonObject info = new JsonObject(gateway.get("/team/info?team_id=" + teamId, "x-api-key", MASTER).body());
    assertThat(info.getJsonObject("team_info").getString("team_alias")).isEqualTo("Green");
    assertThat(info.getJsonArray("keys")).hasSize(1);
    assertThat(new JsonArray(gateway.get("/team/list", "x-api-key", MASTER).body()).stream()
        .map(t -> ((JsonObject) t).getString("team_id"))).contains(teamId);
    HttpResponse<String> noTeam = gateway.post("/key/generate", new JsonObject().put("team_id", "nope").encode(),
        "x-api-key", MASTER);
    assertThat(noTeam.statusCode()).isEqualTo(400);
    assertThat(noTeam.body()).contains("team_id 'nope'");
    admin("/team/delete", new JsonObject().put("team_ids", new JsonArray().add(teamId)));
    assertThat(infer(key, "sonnet").statusCode()).isEqualTo(401);
  }

  @Test
  void badAdminInputIsA400NamingTheField() throws Exception {
    HttpResponse<String> badLimit = gateway.post("/key/generate", "{\"rpm_limit\":\"many\"}", "x-api-key", MASTER);
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(badLimit.body()).contains("rpm_limit");
    HttpResponse<String> badDuration = gateway.post("/key/generate", "{\"budget_duration\":\"soon\"}",
        "x-api-key", MASTER);
    assertThat(badDuration.statusCode()).isEqualTo(400);
    assertThat(badDuration.body()).contains("budget_duration");
    assertThat(gateway.post("/key/generate", "[1,2", "x-api-key", MASTER).statusCode()).isEqualTo(400);
    assertThat(gateway.post("/key/update", "{\"key\":\"sk-unknown-key-000000\"}", "x-api-key", MASTER)
        .statusCode()).isEqualTo(404);
  }

  @Test
  void rpmLimitAnswers429NamingTheLimitInEachApisShape() throws Exception {
    String key = newKey(new JsonObject().put("key_alias", "rpm-" + UUID.randomUUID()).put("rpm_limit", 2));
    assertThat(infer(key, "sonnet").statusCode()).isEqualTo(200);
    assertThat(infer(key, "sonnet").statusCode()).isEqualTo(200);
    HttpResponse<String> third = infer(key, "sonnet");
    if (third.statusCode() == 200) {
      // the minute turned between the requests: a new window, so the next two pass and the one after is refused
      infer(key, "sonnet");
      third = infer(key, "sonnet");
    }
    assertThat(third.statusCode()).isEqualTo(429);
    JsonObject error = new JsonObject(third.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("rate_limit_error");
    assertThat(error.getString("message")).contains("rpm_limit 2");
    HttpResponse<String> openAi = gateway.post("/v1/chat/completions", message("sonnet", "hi"),
        "authorization", "Bearer " + key);
    assertThat(openAi.statusCode()).isEqualTo(429);
    assertThat(new JsonObject(openAi.body()).getJsonObject("error").getString("code"))
        .isEqualTo("rate_limit_exceeded");
  }

  @Test
  void aSpentBudgetAnswers429UntilRaised() throws Exception {
    String key = newKey(new JsonObject().put("max_budget", 0.000001));
    assertThat(infer(key, "sonnet").statusCode()).isEqualTo(200);
    // the cost is booked when the answer ends, off the request path: wait until the key's spend shows it
    double spend = 0;
    for (int i = 0; i < 100 && spend <= 0; i++) {
      spend = new JsonObject(gateway.get("/key/info?key=" + key, "x-api-key", MASTER).body())
          .getJsonObject("info").getDouble("spend");
      Thread.sleep(20);
    }
    assertThat(spend).isPositive();
    HttpResponse<String> over = infer(key, "sonnet");
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.body()).contains("billing_error").contains("max_budget");
    admin("/key/update", new JsonObject().put("key", key).put("max_budget", 100));
    assertThat(infer(key, "sonnet").statusCode()).isEqualTo(200);
  }

  /**
   * LiteLLM's {@code /spend/logs}: the master key reads every key's calls (by key, by request, by day), a virtual key
   * its own and no other's; rows name keys by their hash, never the key; bad parameters are a 400 naming them.
   */
  @Test
  void spendLogsShowTheCallsOfAKeyAsLiteLlmDoes() throws Exception {
    String first = newKey(new JsonObject().put("key_alias", "spend-log-first"));
    String second = newKey(new JsonObject());
    HttpResponse<String> call = infer(first, "sonnet");
    assertThat(call.statusCode()).isEqualTo(200);
    String requestId = call.headers().firstValue("x-affinity-request-id").orElseThrow();
    assertThat(infer(first, "sonnet").statusCode()).isEqualTo(200);
    assertThat(infer(second, "sonnet").statusCode()).isEqualTo(200);

    // rows reach the store in batches, a second apart
    JsonArray rows = TestGateway.eventually(() -> spendLogs("?api_key=" + first, MASTER),
        found -> found.size() == 2);
    assertThat(rows).hasSize(2);
    JsonObject row = rows.getJsonObject(0);
    assertThat(row.getString("api_key")).isEqualTo(KeyToken.hash(first));
    assertThat(row.getString("model_group")).isEqualTo("sonnet");
    assertThat(row.getString("status")).isEqualTo("success");
    assertThat(row.getDouble("spend")).isPositive();
    assertThat(row.getLong("total_tokens")).isEqualTo(row.getLong("prompt_tokens") + row.getLong("completion_tokens"))
        .isPositive();
    assertThat(row.getJsonObject("metadata").getString("user_api_key_alias")).isEqualTo("spend-log-first");
    assertThat(java.time.Instant.parse(row.getString("endTime")))
        .isAfterOrEqualTo(java.time.Instant.parse(row.getString("startTime")));
    assertThat(spendLogs("?request_id=" + requestId, MASTER)).singleElement()
        .satisfies(one -> assertThat(((JsonObject) one).getString("request_id")).isEqualTo(requestId));
    TestGateway.eventually(() -> spendLogs("?api_key=" + KeyToken.hash(second), MASTER), found -> found.size() == 1);
    assertThat(spendLogs("", MASTER).stream().map(each -> ((JsonObject) each).getString("api_key")))
        .contains(KeyToken.hash(first), KeyToken.hash(second));

    // a day's summary, as LiteLLM's: USD that day, per model and per key (by its hash)
    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    JsonArray days = spendLogs("?api_key=" + first + "&start_date=" + today + "&end_date=" + today, MASTER);
    assertThat(days).hasSize(1);
    JsonObject day = days.getJsonObject(0);
    double spent = rows.stream().mapToDouble(each -> ((JsonObject) each).getDouble("spend")).sum();
    assertThat(day.getString("startTime")).isEqualTo(today);
    assertThat(day.getDouble("spend")).isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(day.getDouble(KeyToken.hash(first))).isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(day.getJsonObject("models").getDouble("sonnet")).isCloseTo(spent,
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(spendLogs("?api_key=" + first + "&start_date=" + today + "&end_date=" + today + "&summarize=false",
        MASTER)).hasSize(2);

    // a virtual key: its own rows, with or without naming itself; another's is refused
    assertThat(spendLogs("", first)).hasSize(2);
    assertThat(spendLogs("?api_key=" + first, first)).hasSize(2);
    assertThat(gateway.get("/spend/logs?api_key=" + second, "x-api-key", first).statusCode()).isEqualTo(403);
    HttpResponse<String> all = gateway.get("/spend/logs", "x-api-key", MASTER);
    assertThat(all.body()).doesNotContain(first).doesNotContain(second).doesNotContain(MASTER);

    for (String bad : List.of("?start_date=" + today, "?start_date=yesterday&end_date=" + today, "?limit=0",
        "?user_id=someone", "?summarize=maybe", "?apikey=" + KeyToken.hash(first))) {
      HttpResponse<String> refused = gateway.get("/spend/logs" + bad, "x-api-key", MASTER);
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("message")).as(bad)
          .containsAnyOf("start_date", "end_date", "limit", "user_id", "summarize", "apikey");
    }
    assertThat(gateway.get("/spend/logs", "x-api-key", "sk-nobody").statusCode()).isEqualTo(401);
  }

  /**
   * LiteLLM's {@code /global/spend/report}: per day and team, each key's spend on each model; or per key its cost and
   * tokens; for the master key only.
   */
  @Test
  void theSpendReportChargesTeamsAndKeys() throws Exception {
    String teamId = admin("/team/new", new JsonObject().put("team_alias", "report-team")).getString("team_id");
    String inTeam = newKey(new JsonObject().put("team_id", teamId));
    String alone = newKey(new JsonObject());
    for (String key : List.of(inTeam, inTeam, alone)) {
      assertThat(infer(key, "sonnet").statusCode()).isEqualTo(200);
    }
    TestGateway.eventually(() -> spendLogs("?api_key=" + alone, MASTER), found -> found.size() == 1);
    double teamSpend = TestGateway.eventually(() -> spendLogs("?api_key=" + inTeam, MASTER), found -> found.size() == 2)
        .stream().mapToDouble(row -> ((JsonObject) row).getDouble("spend")).sum();
    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    String range = "?start_date=" + today + "&end_date=" + today;

    JsonArray byTeam = spendReport(range + "&team_id=" + teamId);
    assertThat(byTeam).hasSize(1);
    assertThat(byTeam.getJsonObject(0).getString("group_by_day")).isEqualTo(today + "T00:00:00+00:00");
    JsonObject team = byTeam.getJsonObject(0).getJsonArray("teams").getJsonObject(0);
    assertThat(team.getString("team_name")).isEqualTo("report-team");
    assertThat(team.getDouble("total_spend")).isCloseTo(teamSpend, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(team.getJsonArray("metadata")).singleElement().satisfies(entry -> {
      JsonObject spent = (JsonObject) entry;
      assertThat(spent.getString("api_key")).isEqualTo(KeyToken.hash(inTeam));
      assertThat(spent.getString("model")).isEqualTo("sonnet");
      assertThat(spent.getLong("total_tokens")).isPositive();
    });
    assertThat(spendReport(range).getJsonObject(0).getJsonArray("teams").stream()
        .map(each -> ((JsonObject) each).getString("team_name"))).contains("report-team", "Unassigned Team");

    JsonArray byKey = spendReport(range + "&group_by=api_key");
    assertThat(byKey.stream().map(each -> ((JsonObject) each).getString("api_key")))
        .contains(KeyToken.hash(inTeam), KeyToken.hash(alone));
    JsonArray oneKey = spendReport(range + "&api_key=" + inTeam);
    assertThat(oneKey).singleElement().satisfies(entry -> {
      JsonObject key = (JsonObject) entry;
      assertThat(key.getDouble("total_cost")).isCloseTo(teamSpend, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(key.getLong("total_input_tokens")).isPositive();
      assertThat(key.getJsonArray("model_details").getJsonObject(0).getString("model")).isEqualTo("sonnet");
    });
    assertThat(gateway.get("/global/spend/report" + range, "x-api-key", MASTER).body()).doesNotContain(inTeam)
        .doesNotContain(alone);

    assertThat(gateway.get("/global/spend/report" + range, "x-api-key", inTeam).statusCode()).isEqualTo(403);
    for (String bad : List.of("", "?start_date=" + today, range + "&group_by=model",
        range + "&customer_id=acme", range + "&teamid=" + teamId)) {
      HttpResponse<String> refused = gateway.get("/global/spend/report" + bad, "x-api-key", MASTER);
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
    }
  }

  /**
   * LiteLLM's 30-day overviews, as its admin UI reads them: the total, per day, per key, per model and per team, with
   * key hashes and aliases, never a key; the master key's only.
   */
  @Test
  void theGlobalSpendOverviewsShowTheLastThirtyDays() throws Exception {
    String teamId = admin("/team/new", new JsonObject().put("team_alias", "overview-team")).getString("team_id");
    String inTeam = newKey(new JsonObject().put("team_id", teamId).put("key_alias", "overview-key"));
    for (int i = 0; i < 2; i++) {
      assertThat(infer(inTeam, "sonnet").statusCode()).isEqualTo(200);
    }
    double spent = TestGateway.eventually(() -> spendLogs("?api_key=" + inTeam, MASTER), found -> found.size() == 2)
        .stream().mapToDouble(row -> ((JsonObject) row).getDouble("spend")).sum();
    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();

    JsonObject total = new JsonObject(overview("/global/spend"));
    assertThat(total.getDouble("spend")).isGreaterThanOrEqualTo(spent);
    assertThat(total.getDouble("max_budget")).isZero();

    JsonArray keyDays = new JsonArray(overview("/global/spend/logs?api_key=" + inTeam));
    assertThat(keyDays).singleElement().satisfies(day -> {
      assertThat(((JsonObject) day).getString("date")).isEqualTo(today);
      assertThat(((JsonObject) day).getDouble("spend")).isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(((JsonObject) day).getString("api_key")).isEqualTo(KeyToken.hash(inTeam));
    });
    JsonArray days = new JsonArray(overview("/global/spend/logs"));
    assertThat(days.getJsonObject(days.size() - 1).getDouble("spend")).isGreaterThanOrEqualTo(spent);

    String keysBody = overview("/global/spend/keys");
    assertThat(keysBody).doesNotContain(inTeam);
    JsonArray keys = new JsonArray(keysBody);
    JsonObject mine = keys.stream().map(JsonObject.class::cast)
        .filter(key -> KeyToken.hash(inTeam).equals(key.getString("api_key"))).findFirst().orElseThrow();
    assertThat(mine.getString("key_alias")).isEqualTo("overview-key");
    assertThat(mine.getDouble("total_spend")).isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-9));
    for (int i = 1; i < keys.size(); i++) {
      assertThat(keys.getJsonObject(i).getDouble("total_spend")).as("the costliest first")
          .isLessThanOrEqualTo(keys.getJsonObject(i - 1).getDouble("total_spend"));
    }
    assertThat(new JsonArray(overview("/global/spend/keys?limit=1"))).hasSize(1);

    JsonArray models = new JsonArray(overview("/global/spend/models"));
    assertThat(models.stream().map(JsonObject.class::cast)
        .filter(model -> model.getString("model").equals("sonnet")).findFirst().orElseThrow()
        .getDouble("total_spend")).isGreaterThanOrEqualTo(spent);

    JsonObject teams = new JsonObject(overview("/global/spend/teams"));
    assertThat(teams.getJsonArray("teams")).contains("overview-team");
    JsonObject todays = teams.getJsonArray("daily_spend").stream().map(JsonObject.class::cast)
        .filter(day -> day.getString("date").equals(today)).findFirst().orElseThrow();
    assertThat(todays.getDouble("overview-team")).isCloseTo(spent, org.assertj.core.data.Offset.offset(0.005));

    for (String path : List.of("/global/spend", "/global/spend/logs", "/global/spend/keys", "/global/spend/models",
        "/global/spend/teams")) {
      assertThat(gateway.get(path, "x-api-key", inTeam).statusCode()).as(path).isEqualTo(403);
      assertThat(gateway.get(path + "?user_id=me", "x-api-key", MASTER).statusCode()).as(path).isEqualTo(400);
    }
    assertThat(gateway.get("/global/spend/models?limit=zero", "x-api-key", MASTER).statusCode()).isEqualTo(400);
  }

  @Test
  void theActivityChartsCountCallsAndTokensPerDayAndPerModel() throws Exception {
    String key = newKey(new JsonObject().put("key_alias", "activity-key"));
    for (int i = 0; i < 3; i++) {
      assertThat(infer(key, "sonnet").statusCode()).isEqualTo(200);
    }
    long tokens = TestGateway.eventually(() -> spendLogs("?api_key=" + key, MASTER), found -> found.size() == 3)
        .stream().mapToLong(row -> ((JsonObject) row).getLong("total_tokens")).sum();
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    String label = today.format(java.time.format.DateTimeFormatter.ofPattern("MMM dd", java.util.Locale.ENGLISH));
    String range = "?start_date=" + today + "&end_date=" + today;

    JsonObject all = new JsonObject(overview("/global/activity" + range));
    assertThat(all.getJsonArray("daily_data")).singleElement().satisfies(day -> {
      assertThat(((JsonObject) day).getString("date")).isEqualTo(label);
      assertThat(((JsonObject) day).getLong("api_requests")).isGreaterThanOrEqualTo(3);
      assertThat(((JsonObject) day).getLong("total_tokens")).isGreaterThanOrEqualTo(tokens);
    });
    assertThat(all.getLong("sum_api_requests")).isEqualTo(all.getJsonArray("daily_data").getJsonObject(0)
        .getLong("api_requests"));
    JsonObject sonnet = new JsonArray(overview("/global/activity/model" + range)).stream().map(JsonObject.class::cast)
        .filter(chart -> chart.getString("model").equals("sonnet")).findFirst().orElseThrow();
    assertThat(sonnet.getLong("sum_api_requests")).isGreaterThanOrEqualTo(3);
    assertThat(sonnet.getJsonArray("daily_data").getJsonObject(0).getString("model_group")).isEqualTo("sonnet");
    String before = "?start_date=" + today.minusDays(9) + "&end_date=" + today.minusDays(8);
    assertThat(new JsonObject(overview("/global/activity" + before)).getLong("sum_api_requests")).isZero();
    double spent = TestGateway.eventually(() -> spendLogs("?api_key=" + key, MASTER), found -> found.size() == 3)
        .stream().mapToDouble(row -> ((JsonObject) row).getDouble("spend")).sum();
    JsonArray providers = new JsonArray(overview("/global/spend/provider" + range));
    assertThat(providers).singleElement().satisfies(provider -> {
      assertThat(((JsonObject) provider).getString("provider")).isEqualTo("anthropic");
      assertThat(((JsonObject) provider).getDouble("spend")).isGreaterThanOrEqualTo(spent);
    });
    assertThat(new JsonArray(overview("/global/spend/provider" + before))).isEmpty();

    for (String path : List.of("/global/activity", "/global/activity/model", "/global/spend/provider")) {
      assertThat(gateway.get(path + range, "x-api-key", key).statusCode()).as(path).isEqualTo(403);
      HttpResponse<String> undated = gateway.get(path, "x-api-key", MASTER);
      assertThat(undated.statusCode()).as(path).isEqualTo(400);
      assertThat(undated.body()).contains("start_date and end_date are required");
    }
  }

  @Test
  void eachCallIsKeptWithItsEndUserAndTagsWhichNeverReachTheUpstream() throws Exception {
    String team = admin("/team/new", new JsonObject().put("metadata",
        new JsonObject().put("tags", new JsonArray().add("team-tag")))).getString("team_id");
    String key = newKey(new JsonObject().put("team_id", team).put("metadata",
        new JsonObject().put("tags", new JsonArray().add("key-tag"))));
    String job = "job:" + UUID.randomUUID();
    String body = new JsonObject(message("haiku", "tagged")).put("metadata", new JsonObject()
        .put("user_id", "end-user-7").put("tags", new JsonArray().add(job))).encode();
    HttpResponse<String> tagged = gateway.post("/v1/messages", body, "x-api-key", key,
        "anthropic-version", "2023-06-01", "x-litellm-tags", "app-prod, " + job);
    assertThat(tagged.statusCode()).as(tagged.body()).isEqualTo(200);
    JsonObject sent = new JsonObject(emulator.capturedRequests("a1", 1).get(0).body());
    assertThat(sent.getJsonObject("metadata")).as("LiteLLM's tags are the gateway's: the provider refuses them")
        .isEqualTo(new JsonObject().put("user_id", "end-user-7"));
    assertThat(sent.getString("model")).isEqualTo("claude-haiku-4-5");

    JsonObject row = TestGateway.eventually(() -> spendLogs("?api_key=" + key, MASTER), found -> found.size() == 1)
        .getJsonObject(0);
    assertThat(row.getString("end_user")).isEqualTo("end-user-7");
    assertThat(row.getJsonArray("request_tags")).as("the request's, the key's, the team's, the deployment's")
        .containsExactly("app-prod", job, "key-tag", "team-tag", "haiku-deployment");
    double spent = row.getDouble("spend");

    JsonObject perTag = new JsonArray(overview("/spend/tags")).stream().map(JsonObject.class::cast)
        .filter(tag -> tag.getString("individual_request_tag").equals(job)).findFirst().orElseThrow();
    assertThat(perTag.getLong("log_count")).isEqualTo(1);
    assertThat(perTag.getDouble("total_spend")).isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-9));
    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    JsonObject chart = new JsonObject(overview("/global/spend/tags?start_date=" + today + "&end_date=" + today
        + "&tags=" + job));
    assertThat(chart.getJsonArray("spend_per_tag")).singleElement().satisfies(tag -> {
      assertThat(((JsonObject) tag).getString("name")).isEqualTo(job);
      assertThat(((JsonObject) tag).getLong("log_count")).isEqualTo(1);
    });
    assertThat(new JsonObject(overview("/global/spend/all_tag_names")).getJsonArray("tag_names"))
        .contains(job, "app-prod");
    HttpResponse<String> users = gateway.post("/global/spend/end_users", new JsonObject().put("api_key", key).encode(),
        "x-api-key", MASTER, "content-type", "application/json");
    assertThat(users.statusCode()).as(users.body()).isEqualTo(200);
    assertThat(new JsonArray(users.body())).containsExactly(new JsonObject().put("end_user", "end-user-7")
        .put("total_count", 1).put("total_spend", spent));
    assertThat(new JsonObject(overview("/global/all_end_users")).getJsonArray("end_users")).contains("end-user-7");
    JsonObject customer = new JsonArray(overview("/global/spend/report?start_date=" + today + "&end_date=" + today
        + "&group_by=customer")).getJsonObject(0).getJsonArray("customers").stream().map(JsonObject.class::cast)
        .filter(each -> "end-user-7".equals(each.getString("customer"))).findFirst().orElseThrow();
    assertThat(customer.getDouble("total_spend")).isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(customer.getJsonArray("metadata")).singleElement().satisfies(model -> assertThat(
        ((JsonObject) model).getString("api_key")).isEqualTo(KeyToken.hash(key)));

    // more tags than a row keeps: refused in the API's own shape, nothing sent
    int calls = emulator.capturedRequests("a1").size();
    StringBuilder many = new StringBuilder("t0");
    for (int i = 1; i <= dev.affinity.model.Attribution.MAX_TAGS; i++) {
      many.append(",t").append(i);
    }
    HttpResponse<String> refused = gateway.post("/v1/messages", message("haiku", "x"), "x-api-key", key,
        "anthropic-version", "2023-06-01", "x-litellm-tags", many.toString());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("type"))
        .isEqualTo("invalid_request_error");
    assertThat(refused.body()).contains("at most " + dev.affinity.model.Attribution.MAX_TAGS + " tags");
    assertThat(emulator.capturedRequests("a1")).hasSize(calls);

    for (String path : List.of("/spend/tags", "/global/spend/tags?start_date=" + today + "&end_date=" + today,
        "/global/spend/all_tag_names", "/global/all_end_users")) {
      assertThat(gateway.get(path, "x-api-key", key).statusCode()).as(path).isEqualTo(403);
    }
    assertThat(gateway.get("/global/spend/tags", "x-api-key", MASTER).statusCode()).isEqualTo(400);
    assertThat(gateway.post("/global/spend/end_users", "{\"startTime\":\"yesterday\"}", "x-api-key", MASTER,
        "content-type", "application/json").statusCode()).isEqualTo(400);
  }

  private static String overview(String path) throws Exception {
    HttpResponse<String> response = gateway.get(path, "x-api-key", MASTER);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return response.body();
  }

  private static JsonArray spendReport(String query) throws Exception {
    HttpResponse<String> response = gateway.get("/global/spend/report" + query, "x-api-key", MASTER);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonArray(response.body());
  }

  private static JsonArray spendLogs(String query, String key) {
    HttpResponse<String> response;
    try {
      response = gateway.get("/spend/logs" + query, "x-api-key", key);
    } catch (Exception failed) {
      throw new IllegalStateException(failed);
    }
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonArray(response.body());
  }

  @Test
  void tenantsNeverFollowEachOthersPins() throws Exception {
    JsonObject allowed = new JsonObject().put("affinity_routing_headers", true);
    String team1 = admin("/team/new", new JsonObject()).getString("team_id");
    String team2 = admin("/team/new", new JsonObject()).getString("team_id");
    String first = newKey(new JsonObject().put("team_id", team1).put("permissions", allowed));
    String sameTeam = newKey(new JsonObject().put("team_id", team1).put("permissions", allowed));
    String otherTeam = newKey(new JsonObject().put("team_id", team2).put("permissions", allowed));
    String prompt = cacheablePrompt(new Random().nextLong());
    assertThat(route(first, prompt)).isEqualTo("claimed");
    // the same team is one tenant: its keys share pins
    assertThat(route(sameTeam, prompt)).isEqualTo("pinned");
    // another team sends the very same prompt: it is not told (by its route) that the prefix is cached
    assertThat(route(otherTeam, prompt)).isEqualTo("claimed");
    assertThat(route(otherTeam, prompt)).isEqualTo("pinned");
  }

  @Test
  void aDeploymentReservedToATeamServesThatTeamAlone() throws Exception {
    JsonObject allowed = new JsonObject().put("affinity_routing_headers", true);
    String reserving = admin("/team/new", new JsonObject()
        .put("reserved_deployments", new JsonArray().add("a2"))).getString("team_id");
    String own = newKey(new JsonObject().put("team_id", reserving).put("permissions", allowed));
    String other = newKey(new JsonObject().put("permissions", allowed));
    java.util.Set<String> ownDeployments = new java.util.HashSet<>();
    java.util.Set<String> otherDeployments = new java.util.HashSet<>();
    for (int i = 0; i < 6; i++) {
      ownDeployments.add(infer(own, "sonnet").headers().firstValue("x-affinity-deployment").orElseThrow());
      otherDeployments.add(infer(other, "sonnet").headers().firstValue("x-affinity-deployment").orElseThrow());
    }
    assertThat(ownDeployments).containsExactly("a2");
    assertThat(otherDeployments).containsExactly("a1");
    // haiku has no deployment reserved to the team: it must not share one with other tenants
    HttpResponse<String> elsewhere = infer(own, "haiku");
    assertThat(elsewhere.statusCode()).isEqualTo(403);
    assertThat(elsewhere.body()).contains("reserved");
    admin("/team/delete", new JsonObject().put("team_ids", new JsonArray().add(reserving)));
  }

  private static String route(String key, String body) throws Exception {
    HttpResponse<String> response = gateway.post("/v1/messages", body, "x-api-key", key,
        "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-affinity-route").orElseThrow();
  }

  /** A system prompt of about 3,000 tokens with a cache marker: long enough to pin. */
  static String cacheablePrompt(long seed) {
    Random random = new Random(seed);
    StringBuilder system = new StringBuilder("You are agent " + seed + ". ");
    while (system.length() < 12_000) {
      system.append("rule").append(random.nextInt(100_000)).append(' ');
    }
    return "{\"model\":\"sonnet\",\"max_tokens\":16,\"system\":[{\"type\":\"text\",\"text\":\"" + system
        + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
  }
}
