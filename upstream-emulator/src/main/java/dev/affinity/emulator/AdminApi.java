package dev.affinity.emulator;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * The control routes under {@code /_emulator} (no authentication: the emulator listens on loopback by default).
 * Errors use the same shape as the Anthropic routes.
 */
final class AdminApi {

  static final String PREFIX = "/_emulator";

  private final UpstreamEmulator emulator;

  AdminApi(UpstreamEmulator emulator) {
    this.emulator = emulator;
  }

  void mount(Router router) {
    router.get(PREFIX + "/counters").handler(this::counters);
    router.post(PREFIX + "/reset").handler(ctx -> {
      emulator.reset();
      ctx.response().setStatusCode(204).end();
    });
    router.get(PREFIX + "/faults").handler(this::faults);
    router.post(PREFIX + "/faults").handler(this::injectFault);
    router.delete(PREFIX + "/faults").handler(ctx -> {
      emulator.clearFaults();
      ctx.response().setStatusCode(204).end();
    });
    router.get(PREFIX + "/requests").handler(this::requests);
    router.get(PREFIX + "/clock").handler(this::clock);
    router.post(PREFIX + "/clock").handler(this::advanceClock);
  }

  private void counters(RoutingContext ctx) {
    JsonObject accounts = new JsonObject();
    emulator.counters().forEach((name, counters) -> accounts.put(name, counters.toJson()));
    AnthropicApi.sendJson(ctx, accounts.encode());
  }

  private void faults(RoutingContext ctx) {
    JsonArray faults = new JsonArray();
    emulator.pendingFaults().forEach(fault -> faults.add(fault.toJson()));
    AnthropicApi.sendJson(ctx, new JsonObject().put("faults", faults).encode());
  }

  private void injectFault(RoutingContext ctx) {
    Fault fault;
    try {
      fault = Fault.fromJson(jsonBody(ctx));
      emulator.injectFault(fault);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidRequest(e.getMessage());
    }
    ctx.response().setStatusCode(201);
    AnthropicApi.sendJson(ctx, fault.toJson().encode());
  }

  private void requests(RoutingContext ctx) {
    String account = ctx.queryParams().get("account");
    if (account == null) {
      throw ApiError.invalidRequest("account: query parameter required");
    }
    int limit = EmulatorOptions.DEFAULT_CAPTURED_REQUESTS;
    String limitParam = ctx.queryParams().get("limit");
    if (limitParam != null) {
      try {
        limit = Integer.parseInt(limitParam);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1) {
        throw ApiError.invalidRequest("limit: must be a positive integer");
      }
    }
    JsonArray requests = new JsonArray();
    try {
      emulator.capturedRequests(account, limit).forEach(request -> requests.add(request.toJson()));
    } catch (IllegalArgumentException e) {
      throw new ApiError(404, e.getMessage());
    }
    AnthropicApi.sendJson(ctx, new JsonObject().put("account", account).put("requests", requests).encode());
  }

  private void clock(RoutingContext ctx) {
    AnthropicApi.sendJson(ctx, new JsonObject().put("now", emulator.now().toString()).encode());
  }

  private void advanceClock(RoutingContext ctx) {
    if (!(jsonBody(ctx).getValue("advance_seconds") instanceof Number seconds) || seconds.doubleValue() < 0) {
      throw ApiError.invalidRequest("advance_seconds: a non-negative number is required");
    }
    emulator.advanceClock(Duration.ofMillis(Math.round(seconds.doubleValue() * 1000)));
    clock(ctx);
  }

  private static JsonObject jsonBody(RoutingContext ctx) {
    try {
      if (RawBody.of(ctx).toJsonValue() instanceof JsonObject json) {
        return json;
      }
    } catch (DecodeException e) {
      // answered below
    }
    throw ApiError.invalidRequest("The request body must be a JSON object");
  }
}
