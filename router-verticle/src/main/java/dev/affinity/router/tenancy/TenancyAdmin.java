package dev.affinity.router.tenancy;

import dev.affinity.model.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * LiteLLM's key and team management endpoints, with its field names and answers: {@code /key/generate},
 * {@code /key/update}, {@code /key/delete}, {@code /key/regenerate}, {@code /key/info}, {@code /key/list},
 * {@code /team/new}, {@code /team/update}, {@code /team/delete}, {@code /team/info}, {@code /team/list}. Only the
 * master key administers; a virtual key may read its own {@code /key/info}. Errors come in LiteLLM's (OpenAI's)
 * shape. Every change is written to the store first, then to the cluster's maps, and logged to
 * {@code affinity.audit} (never with a key: its hash prefix).
 */
public final class TenancyAdmin {

  private static final Logger AUDIT = Logger.getLogger("affinity.audit");
  /** Fields of /key/generate and /key/update that are kept as given (checked by {@link TenantJson}). */
  private static final Set<String> KEY_FIELDS = Set.of("key_alias", "team_id", "models", "max_budget",
      "budget_duration", "rpm_limit", "tpm_limit", "max_parallel_requests", "metadata", "permissions", "blocked");
  private static final Set<String> TEAM_FIELDS = Set.of("team_alias", "models", "max_budget", "budget_duration",
      "rpm_limit", "tpm_limit", "max_parallel_requests", "metadata", "blocked", "reserved_deployments");

  private final Tenancy tenancy;
  private final Function<RoutingContext, String> presentedKey;
  private final Function<String, String> providerOf;

  /**
   * @param presentedKey the key a request presents ({@code x-api-key} or {@code Authorization: Bearer}), or null
   * @param providerOf   a deployment id's provider (LiteLLM's name), or null for one not configured
   */
  public TenancyAdmin(Tenancy tenancy, Function<RoutingContext, String> presentedKey,
                      Function<String, String> providerOf) {
    this.tenancy = tenancy;
    this.presentedKey = presentedKey;
    this.providerOf = providerOf;
  }

  /** Adds the endpoints to {@code router}. */
  public void mount(Router router, long maxBodyBytes) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(Math.min(maxBodyBytes, 1024 * 1024));
    router.post("/key/generate").handler(body).handler(ctx -> admin(ctx, this::generateKey));
    router.post("/key/update").handler(body).handler(ctx -> admin(ctx, this::updateKey));
    router.post("/key/block").handler(body).handler(ctx -> admin(ctx, request -> blockKey(request, true)));
    router.post("/key/unblock").handler(body).handler(ctx -> admin(ctx, request -> blockKey(request, false)));
    router.post("/key/delete").handler(body).handler(ctx -> admin(ctx, this::deleteKeys));
    router.post("/key/regenerate").handler(body).handler(ctx -> admin(ctx, this::regenerateKey));
    router.post("/key/:key/regenerate").handler(body).handler(ctx -> admin(ctx,
        request -> regenerateKey(request.copy().put("key", ctx.pathParam("key")))));
    router.get("/key/info").handler(this::keyInfo);
    router.get("/key/list").handler(ctx -> admin(ctx, request -> listKeys(ctx)));
    router.post("/team/new").handler(body).handler(ctx -> admin(ctx, this::newTeam));
    router.post("/team/update").handler(body).handler(ctx -> admin(ctx, this::updateTeam));
    router.post("/team/block").handler(body).handler(ctx -> admin(ctx, request -> blockTeam(request, true)));
    router.post("/team/unblock").handler(body).handler(ctx -> admin(ctx, request -> blockTeam(request, false)));
    router.post("/team/delete").handler(body).handler(ctx -> admin(ctx, this::deleteTeams));
    router.get("/team/info").handler(ctx -> admin(ctx, request -> teamInfo(ctx.queryParams().get("team_id"))));
    router.get("/team/list").handler(ctx -> admin(ctx, request -> listTeams()));
    router.get("/spend/logs").handler(this::spendLogs);
    router.get("/global/spend/report").handler(ctx -> admin(ctx, request -> spendReport(ctx)));
    router.get("/global/spend").handler(ctx -> admin(ctx, request -> globalSpend(ctx)));
    router.get("/global/spend/logs").handler(ctx -> admin(ctx, request -> globalSpendPerDay(ctx)));
    router.get("/global/spend/keys").handler(ctx -> admin(ctx, request -> Answer.ok(GlobalSpend.byKey(lastDays(null),
        GlobalSpend.limit(ctx.queryParams(), "/global/spend/keys"), tenancy.directory()::keyById))));
    router.get("/global/spend/models").handler(ctx -> admin(ctx, request -> Answer.ok(GlobalSpend.byModel(
        lastDays(null), GlobalSpend.limit(ctx.queryParams(), "/global/spend/models")))));
    router.get("/global/spend/teams").handler(ctx -> admin(ctx, request -> {
      QueryParameters.only(ctx.queryParams(), Set.of(), "/global/spend/teams takes none");
      return Answer.ok(GlobalSpend.byTeam(lastDays(null), this::teamName));
    }));
    router.get("/global/spend/provider").handler(ctx -> admin(ctx, request -> Answer.ok(GlobalSpend.byProvider(
        tenancy.store().spendByDeployment(GlobalSpend.providerFilter(ctx.queryParams())), providerOf))));
    router.get("/global/activity").handler(ctx -> admin(ctx, request -> Answer.ok(GlobalActivity.total(
        tenancy.store().spendByDay(GlobalActivity.filter(ctx.queryParams(), "/global/activity"))))));
    router.get("/global/activity/model").handler(ctx -> admin(ctx, request -> Answer.ok(GlobalActivity.byModel(
        tenancy.store().spendByDay(GlobalActivity.filter(ctx.queryParams(), "/global/activity/model"))))));
    router.get("/spend/tags").handler(ctx -> admin(ctx, request -> Answer.ok(AttributedSpend.byTag(
        tenancy.store().spendByTag(AttributedSpend.tagsFilter(ctx.queryParams()))))));
    router.get("/global/spend/tags").handler(ctx -> admin(ctx, request -> {
      AttributedSpend.TagQuery query = AttributedSpend.TagQuery.of(ctx.queryParams());
      return Answer.ok(AttributedSpend.chart(tenancy.store().spendByTag(query.filter()), query.tags()));
    }));
    router.get("/global/spend/all_tag_names").handler(ctx -> admin(ctx, request -> {
      QueryParameters.only(ctx.queryParams(), Set.of(), "/global/spend/all_tag_names takes none");
      return Answer.ok(AttributedSpend.tagNames(tenancy.store().spendByTag(AttributedSpend.everything())));
    }));
    router.post("/global/spend/end_users").handler(body).handler(ctx -> admin(ctx, request -> Answer.ok(
        AttributedSpend.endUsersFilter(request, Instant.now(), reference -> {
          VirtualKey key = keyOrNull(reference);
          return key == null ? null : key.id();
        }).map(filter -> AttributedSpend.byEndUser(tenancy.store().spendByEndUser(filter)))
            .orElseGet(JsonArray::new))));
    router.get("/global/all_end_users").handler(ctx -> admin(ctx, request -> {
      QueryParameters.only(ctx.queryParams(), Set.of(), "/global/all_end_users takes none");
      return Answer.ok(AttributedSpend.endUserNames(tenancy.store().spendByEndUser(AttributedSpend.everything())));
    }));
  }

  /** An answer of an admin operation: status and JSON (an object or, for /team/list, an array). */
  private record Answer(int status, Object body) {
    static Answer ok(Object body) {
      return new Answer(200, body);
    }
  }

  /** Thrown by an operation for a client's mistake: answered in the error shape, never a 500. */
  private static final class Mistake extends RuntimeException {
    private final GatewayError error;

    Mistake(int status, String type, String message) {
      super(message, null, false, false);
      this.error = new GatewayError(status, type, message);
    }
  }

  private static Mistake invalid(String message) {
    return new Mistake(400, "invalid_request_error", message);
  }

  private static Mistake notFound(String message) {
    return new Mistake(404, "not_found_error", message);
  }

  /** Runs {@code then} with the caller the request's key names; answers an unknown or refused key itself. */
  private void identified(RoutingContext ctx, java.util.function.Consumer<Identity> then) {
    tenancy.identify(presentedKey.apply(ctx), ctx.vertx().getOrCreateContext()).onComplete(identified -> {
      if (identified.failed()) {
        error(ctx, identified.cause() instanceof Tenancy.Refusal refusal ? refusal.error()
            : GatewayError.internal("could not check the key"));
      } else {
        then.accept(identified.result());
      }
    });
  }

  private void admin(RoutingContext ctx, Function<JsonObject, Answer> operation) {
    identified(ctx, identity -> {
      if (!identity.caller().admin()) {
        error(ctx, new GatewayError(403, "permission_error", ctx.request().path()
            + " is for the master key (general_settings.master_key); virtual keys cannot administer"));
        return;
      }
      JsonObject request;
      try {
        request = ctx.request().method().name().equals("GET") || ctx.body().length() == 0 ? new JsonObject()
            : ctx.body().asJsonObject();
      } catch (DecodeException | ClassCastException malformed) {
        error(ctx, GatewayError.invalidRequest("the body must be a JSON object"));
        return;
      }
      if (request == null) {
        error(ctx, GatewayError.invalidRequest("the body must be a JSON object"));
        return;
      }
      String client = ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().hostAddress();
      run(ctx, () -> {
        Answer answer = operation.apply(request);
        AUDIT.info(() -> "admin action=" + ctx.request().method() + " " + ctx.request().path() + " client=" + client
            + " status=" + answer.status() + subject(answer.body()));
        return answer;
      });
    });
  }

  private void run(RoutingContext ctx, java.util.concurrent.Callable<Answer> work) {
    tenancy.blocking(() -> {
      try {
        return work.call();
      } catch (Mistake mistake) {
        return new Answer(mistake.error.status(), mistake.error);
      } catch (IllegalArgumentException badField) {
        return new Answer(400, GatewayError.invalidRequest(badField.getMessage()));
      }
    }).onComplete(done -> {
      if (done.failed()) {
        Logger.getLogger(TenancyAdmin.class.getName()).warning("admin " + ctx.request().path() + " failed: "
            + done.cause().getMessage());
        error(ctx, new GatewayError(503, "api_error", "the key store is unavailable; retry shortly"));
      } else if (done.result().body() instanceof GatewayError error) {
        error(ctx, error);
      } else {
        Object body = done.result().body();
        ctx.response().setStatusCode(done.result().status()).putHeader("content-type", "application/json")
            .end(body instanceof JsonArray array ? array.encode() : ((JsonObject) body).encode());
      }
    });
  }

  /** The key and team an admin action touched, for the audit line: hash prefixes only. */
  private static String subject(Object body) {
    if (!(body instanceof JsonObject json)) {
      return "";
    }
    StringBuilder subject = new StringBuilder();
    String token = json.getString("token");
    if (token != null && token.length() >= 12) {
      subject.append(" key=").append(token, 0, 12);
    }
    if (json.getString("team_id") != null) {
      subject.append(" team=").append(json.getString("team_id"));
    }
    if (json.getString("key_alias") != null) {
      subject.append(" alias=").append(json.getString("key_alias"));
    }
    return subject.toString();
  }

  // ---- keys ----------------------------------------------------------------------------------------------------

  private Answer generateKey(JsonObject request) {
    String key = TenantJson.optionalText(request, "key");
    if (key == null) {
      key = KeyToken.generate();
    } else if (!key.startsWith("sk-") || key.length() < 20) {
      throw invalid("key must start with sk- and be at least 20 characters long");
    }
    long now = System.currentTimeMillis();
    JsonObject doc = overlay(new JsonObject(), request, KEY_FIELDS)
        .put("token_id", UUID.randomUUID().toString())
        .put("token", KeyToken.hash(key))
        .put("key_name", KeyToken.abbreviate(key))
        .put("created_at", Instant.ofEpochMilli(now).toString());
    expires(request, doc, now);
    VirtualKey created = TenantJson.readKey(doc);
    checkKey(created, null);
    tenancy.store().saveKey(created);
    tenancy.directory().putBlocking(created);
    // the key itself is answered this once and kept nowhere
    return Answer.ok(keyJson(created).put("key", key));
  }

  private Answer updateKey(JsonObject request) {
    VirtualKey existing = keyNamed(TenantJson.text(request, "key"));
    JsonObject doc = overlay(TenantJson.key(existing), request, KEY_FIELDS);
    expires(request, doc, System.currentTimeMillis());
    VirtualKey updated = TenantJson.readKey(doc);
    checkKey(updated, existing);
    tenancy.store().saveKey(updated);
    tenancy.directory().putBlocking(updated);
    return Answer.ok(keyJson(updated).put("key", updated.tokenHash()));
  }

  /** LiteLLM's {@code /key/block} and {@code /key/unblock}: the key (or its token hash) named, its flag changed. */
  private Answer blockKey(JsonObject request, boolean blocked) {
    return updateKey(new JsonObject().put("key", TenantJson.text(request, "key")).put("blocked", blocked));
  }

  private Answer deleteKeys(JsonObject request) {
    List<VirtualKey> doomed = new ArrayList<>();
    for (String reference : TenantJson.strings(request, "keys")) {
      doomed.add(keyNamed(reference));
    }
    for (String alias : TenantJson.strings(request, "key_aliases")) {
      doomed.add(tenancy.directory().keys().stream().filter(key -> alias.equals(key.keyAlias())).findFirst()
          .orElseThrow(() -> notFound("no key with key_alias '" + alias + "'")));
    }
    if (doomed.isEmpty()) {
      throw invalid("name the keys to delete: keys (keys or their token hashes) or key_aliases");
    }
    JsonArray deleted = new JsonArray();
    for (VirtualKey key : doomed) {
      tenancy.store().deleteKey(key.id());
      tenancy.directory().removeKeyBlocking(key);
      deleted.add(key.tokenHash());
    }
    return Answer.ok(new JsonObject().put("deleted_keys", deleted));
  }

  private Answer regenerateKey(JsonObject request) {
    VirtualKey existing = keyNamed(TenantJson.text(request, "key"));
    String key = TenantJson.optionalText(request, "new_key");
    if (key == null) {
      key = KeyToken.generate();
    } else if (!key.startsWith("sk-") || key.length() < 20) {
      throw invalid("new_key must start with sk- and be at least 20 characters long");
    }
    // same id: spend, limits and the spend log follow the key to its new value; the old value stops working now
    JsonObject doc = overlay(TenantJson.key(existing.withToken(KeyToken.hash(key), KeyToken.abbreviate(key))),
        request, KEY_FIELDS);
    VirtualKey regenerated = TenantJson.readKey(doc);
    checkKey(regenerated, existing);
    tenancy.store().saveKey(regenerated);
    tenancy.directory().removeKeyBlocking(existing);
    tenancy.directory().putBlocking(regenerated);
    return Answer.ok(keyJson(regenerated).put("key", key));
  }

  /** Admin: any key; a virtual key: itself only (no {@code key} parameter, or its own). */
  private void keyInfo(RoutingContext ctx) {
    String reference = ctx.queryParams().get("key");
    identified(ctx, identity -> {
      if (!identity.caller().admin() && reference != null
          && !KeyToken.hashOfReference(reference).equals(identity.key().tokenHash())) {
        error(ctx, new GatewayError(403, "permission_error", "a virtual key may only read its own /key/info"));
        return;
      }
      if (identity.caller().admin() && reference == null) {
        error(ctx, GatewayError.invalidRequest("key is required: /key/info?key=<key or token hash>"));
        return;
      }
      run(ctx, () -> {
        VirtualKey key = reference != null ? keyNamed(reference) : identity.key();
        return Answer.ok(new JsonObject().put("key", key.tokenHash()).put("info", keyJson(key)));
      });
    });
  }

  /**
   * LiteLLM's {@code /spend/logs} ({@link SpendLog}): the master key reads every key's calls, a virtual key its own
   * (naming another key is a 403).
   */
  private void spendLogs(RoutingContext ctx) {
    identified(ctx, identity -> {
      SpendLog.Query query;
      try {
        query = SpendLog.Query.of(ctx.queryParams());
      } catch (IllegalArgumentException badParameter) {
        error(ctx, GatewayError.invalidRequest(badParameter.getMessage()));
        return;
      }
      if (!identity.caller().admin() && query.key() != null
          && !KeyToken.hashOfReference(query.key()).equals(identity.key().tokenHash())) {
        error(ctx, new GatewayError(403, "permission_error", "a virtual key may only read its own /spend/logs"));
        return;
      }
      String reference = query.key() != null ? query.key()
          : identity.caller().admin() ? null : identity.key().tokenHash();
      run(ctx, () -> forKey(reference, keyId -> {
        SpendFilter filter = query.filter(keyId);
        return query.summarized()
            ? SpendLog.summary(tenancy.store().spendByDay(filter), this::hashOf)
            : SpendLog.rows(tenancy.store().spendRows(filter), this::hashOf);
      }));
    });
  }

  /** LiteLLM's {@code /global/spend/report} ({@link SpendReport}), for the master key. */
  private Answer spendReport(RoutingContext ctx) {
    SpendReport.Query query = SpendReport.Query.of(ctx.queryParams());
    return forKey(query.key(), keyId -> switch (query.grouping()) {
      case KEY -> SpendReport.byKey(tenancy.store().spendByDay(query.filter(keyId)), this::hashOf);
      case TEAM -> SpendReport.byTeam(tenancy.store().spendByDay(query.filter(keyId)), this::teamName, this::hashOf);
      case CUSTOMER -> SpendReport.byCustomer(tenancy.store().spendByDayAndEndUser(query.filter(keyId)),
          this::hashOf);
    });
  }

  /** LiteLLM's {@code /global/spend}: the last 30 days' spend ({@link GlobalSpend}), for the master key. */
  private Answer globalSpend(RoutingContext ctx) {
    QueryParameters.only(ctx.queryParams(), Set.of(), "/global/spend takes none");
    return Answer.ok(GlobalSpend.total(lastDays(null)));
  }

  /** LiteLLM's {@code /global/spend/logs}: the last 30 days' spend per day, every key's or one's. */
  private Answer globalSpendPerDay(RoutingContext ctx) {
    QueryParameters.only(ctx.queryParams(), Set.of("api_key"), "/global/spend/logs takes api_key");
    String reference = ctx.queryParams().get("api_key");
    return forKey(reference == null || reference.isBlank() ? null : reference,
        keyId -> GlobalSpend.perDay(lastDays(keyId), keyId == null ? null : hashOf(keyId)));
  }

  /** The spend of the last 30 days ({@link GlobalSpend#window}), of {@code keyId}'s calls or, when null, all. */
  private List<TenantStore.DaySpend> lastDays(String keyId) {
    return tenancy.store().spendByDay(GlobalSpend.window(LocalDate.now(ZoneOffset.UTC), keyId));
  }

  /**
   * What {@code read} answers for the key {@code reference} names (the key or its hash), given its id; for no
   * reference, with a null id (every key). A key that does not exist now has no rows to show: an empty list.
   */
  private Answer forKey(String reference, Function<String, Object> read) {
    if (reference == null) {
      return Answer.ok(read.apply(null));
    }
    VirtualKey named = keyOrNull(reference);
    return Answer.ok(named == null ? new JsonArray() : read.apply(named.id()));
  }

  /** A team's name in the spend reports: its alias, else its id. */
  private String teamName(String teamId) {
    Team team = tenancy.directory().teamById(teamId);
    return team != null && team.teamAlias() != null ? team.teamAlias() : teamId;
  }

  /** The key named by {@code reference} (the key or its hash), or null when there is none. */
  private VirtualKey keyOrNull(String reference) {
    String hash = KeyToken.hashOfReference(reference);
    return tenancy.directory().keys().stream().filter(key -> key.tokenHash().equals(hash)).findFirst().orElse(null);
  }

  /** A key id's hash as it is now, or null for a key since deleted. */
  private String hashOf(String keyId) {
    VirtualKey key = tenancy.directory().keyById(keyId);
    return key == null ? null : key.tokenHash();
  }

  private Answer listKeys(RoutingContext ctx) {
    int page = QueryParameters.wholeNumber(ctx.queryParams().get("page"), "page", 1, Integer.MAX_VALUE);
    int size = Math.min(100, QueryParameters.wholeNumber(ctx.queryParams().get("size"), "size", 10,
        Integer.MAX_VALUE));
    String team = ctx.queryParams().get("team_id");
    String alias = ctx.queryParams().get("key_alias");
    boolean full = "true".equalsIgnoreCase(ctx.queryParams().get("return_full_object"));
    List<VirtualKey> matching = tenancy.directory().keys().stream()
        .filter(key -> team == null || team.equals(key.teamId()))
        .filter(key -> alias == null || alias.equals(key.keyAlias()))
        .sorted(Comparator.comparingLong(VirtualKey::createdAt).thenComparing(VirtualKey::id))
        .toList();
    JsonArray keys = new JsonArray();
    matching.stream().skip((long) (page - 1) * size).limit(size)
        .forEach(key -> keys.add(full ? keyJson(key) : key.tokenHash()));
    return Answer.ok(new JsonObject().put("keys", keys).put("total_count", matching.size())
        .put("current_page", page).put("total_pages", (matching.size() + size - 1) / size));
  }

  private VirtualKey keyNamed(String reference) {
    VirtualKey key = keyOrNull(reference);
    if (key == null) {
      throw notFound("no such key");
    }
    return key;
  }

  private void checkKey(VirtualKey key, VirtualKey before) {
    if (key.teamId() != null && tenancy.directory().teamById(key.teamId()) == null) {
      throw invalid("team_id '" + key.teamId() + "' does not exist: create it with /team/new");
    }
    if (key.keyAlias() != null && tenancy.directory().keys().stream().anyMatch(other ->
        key.keyAlias().equals(other.keyAlias()) && !other.id().equals(key.id()))) {
      throw invalid("key_alias '" + key.keyAlias() + "' is taken by another key");
    }
  }

  /** LiteLLM's {@code duration}: the key expires that long from now; absent, it never does. */
  private static void expires(JsonObject request, JsonObject doc, long now) {
    String duration = TenantJson.optionalText(request, "duration");
    if (duration != null && !duration.equals("permanent")) {
      doc.put("expires", Instant.ofEpochMilli(now + Periods.parse("duration", duration).toMillis()).toString());
    }
  }

  private JsonObject keyJson(VirtualKey key) {
    return TenantJson.key(key).put("spend", spend("key", key.id(), key.allowance(), key.createdAt()));
  }

  // ---- teams ---------------------------------------------------------------------------------------------------

  private Answer newTeam(JsonObject request) {
    String teamId = TenantJson.optionalText(request, "team_id");
    if (teamId == null) {
      teamId = UUID.randomUUID().toString();
    }
    if (teamId.isBlank() || teamId.length() > 256) {
      throw invalid("team_id must be 1 to 256 characters");
    }
    if (tenancy.directory().teamById(teamId) != null) {
      throw invalid("team_id '" + teamId + "' already exists");
    }
    JsonObject doc = overlay(new JsonObject(), request, TEAM_FIELDS).put("team_id", teamId)
        .put("created_at", Instant.now().toString());
    Team team = TenantJson.readTeam(doc);
    tenancy.store().saveTeam(team);
    tenancy.directory().putBlocking(team);
    return Answer.ok(teamJson(team));
  }

  private Answer updateTeam(JsonObject request) {
    Team existing = teamNamed(TenantJson.text(request, "team_id"));
    Team updated = TenantJson.readTeam(overlay(TenantJson.team(existing), request, TEAM_FIELDS));
    tenancy.store().saveTeam(updated);
    tenancy.directory().putBlocking(updated);
    return Answer.ok(new JsonObject().put("team_id", updated.teamId()).put("data", teamJson(updated)));
  }

  /** LiteLLM's {@code /team/block} and {@code /team/unblock}: the team named, only its flag changed. */
  private Answer blockTeam(JsonObject request, boolean blocked) {
    return updateTeam(new JsonObject().put("team_id", TenantJson.text(request, "team_id")).put("blocked", blocked));
  }

  private Answer deleteTeams(JsonObject request) {
    List<String> ids = TenantJson.strings(request, "team_ids");
    if (ids.isEmpty()) {
      throw invalid("team_ids is required: the teams to delete");
    }
    List<Team> doomed = ids.stream().map(this::teamNamed).toList();
    JsonArray deleted = new JsonArray();
    for (Team team : doomed) {
      // as LiteLLM does: a team's keys go with it
      List<VirtualKey> keys = tenancy.directory().keys().stream()
          .filter(key -> team.teamId().equals(key.teamId())).toList();
      tenancy.store().deleteTeam(team.teamId());
      keys.forEach(tenancy.directory()::removeKeyBlocking);
      tenancy.directory().removeTeamBlocking(team.teamId());
      deleted.add(team.teamId());
    }
    return Answer.ok(new JsonObject().put("deleted_teams", deleted));
  }

  private Answer teamInfo(String teamId) {
    if (teamId == null) {
      throw invalid("team_id is required: /team/info?team_id=<id>");
    }
    Team team = teamNamed(teamId);
    JsonArray keys = new JsonArray();
    tenancy.directory().keys().stream().filter(key -> teamId.equals(key.teamId()))
        .sorted(Comparator.comparingLong(VirtualKey::createdAt)).forEach(key -> keys.add(keyJson(key)));
    return Answer.ok(new JsonObject().put("team_id", teamId).put("team_info", teamJson(team)).put("keys", keys));
  }

  private Answer listTeams() {
    JsonArray teams = new JsonArray();
    tenancy.directory().teams().stream().sorted(Comparator.comparingLong(Team::createdAt).thenComparing(Team::teamId))
        .forEach(team -> teams.add(teamJson(team)));
    return Answer.ok(teams);
  }

  private Team teamNamed(String teamId) {
    Team team = tenancy.directory().teamById(teamId);
    if (team == null) {
      throw notFound("no team with team_id '" + teamId + "'");
    }
    return team;
  }

  private JsonObject teamJson(Team team) {
    return TenantJson.team(team).put("spend", spend("team", team.teamId(), team.allowance(), team.createdAt()));
  }

  // ---- shared --------------------------------------------------------------------------------------------------

  /** USD spent in the current budget period (all time without {@code budget_duration}). Blocking. */
  private double spend(String kind, String id, Allowance allowance, long anchor) {
    long nanos = tenancy.counters().valueBlocking(
        TenantPolicy.spendCounter(kind, id, allowance, anchor, System.currentTimeMillis()));
    return nanos / TenantPolicy.NANOS_PER_USD;
  }

  /** {@code target} with the request's values of {@code fields}; a field given as null is left as it was. */
  private static JsonObject overlay(JsonObject target, JsonObject request, Set<String> fields) {
    for (String field : fields) {
      if (request.getValue(field) != null) {
        target.put(field, request.getValue(field));
      }
    }
    return target;
  }

  private static void error(RoutingContext ctx, GatewayError error) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response().setStatusCode(error.status()).putHeader("content-type", "application/json")
        .end(error.toOpenAiJson().put("detail", error.message()).encode());
  }

}
