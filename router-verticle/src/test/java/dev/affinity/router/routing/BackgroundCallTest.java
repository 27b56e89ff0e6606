package dev.affinity.router.routing;

import dev.affinity.model.Attribution;
import dev.affinity.model.Caller;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** A background response's call, as kept in the cluster and read back: what any member could have written. */
class BackgroundCallTest {

  private static final Predicate<String> KNOWN = Set.of("oa-1")::contains;
  private static final Caller KEY = new Caller("key-7", "a1b2c3d4", "ci", "team-3", "team:team-3", false, true,
      "10.0.0.9", new Attribution("user-9", List.of("job:7", "env:prod")));
  private static final BackgroundCall CALL = new BackgroundCall(
      new UsageReport.Pending("req-1", "gpt-4o", "oa-1", RouteKind.CLAIMED, false, KEY), 200,
      new UsageReport.Timing(1_000, 2_000, 3_000_000));

  @Test
  void readBackItIsTheSameCallAndIsBookedWithTheUsageItWaitedFor() {
    BackgroundCall read = BackgroundCall.decode(CALL.encode(), KNOWN).orElseThrow();
    assertThat(read).isEqualTo(CALL);
    TokenUsage usage = new TokenUsage(100, 0, 0, 0, 20, 7);
    UsageReport report = read.settledWith(usage);
    assertThat(report.caller()).isEqualTo(KEY);
    assertThat(report.requestId()).isEqualTo("req-1");
    assertThat(report.deploymentId()).isEqualTo("oa-1");
    assertThat(report.route()).isEqualTo(RouteKind.CLAIMED);
    assertThat(report.status()).isEqualTo(200);
    assertThat(report.usage()).isEqualTo(usage);
    assertThat(report.latencyMillis()).isEqualTo(3);
    BackgroundCall master = new BackgroundCall(new UsageReport.Pending("req-2", "gpt-4o", "oa-1",
        RouteKind.UNPINNED, false, Caller.ADMIN), 200, UsageReport.Timing.UNKNOWN);
    assertThat(BackgroundCall.decode(master.encode(), KNOWN)).contains(master);
  }

  @Test
  void aValueThisNodeWouldNotHaveWrittenIsNotBooked() {
    JsonObject good = new JsonObject(CALL.encode());
    assertThat(BackgroundCall.decode(good.encode(), KNOWN)).isPresent();
    for (JsonObject forged : new JsonObject[] {
        good.copy().put("deployment", "not-configured-here"),
        good.copy().put("route", "TELEPORTED"),
        good.copy().put("status", 99),
        good.copy().put("status", "200"),
        good.copy().put("sent", "soon"),
        good.copy().put("request", ""),
        good.copy().put("alias", "x".repeat(BackgroundCall.MAX_FIELD_CHARS + 1)),
        good.copy().put("caller", "master"),
        withCaller(good, "tenant", null),
        withCaller(good, "admin", "true"),
        withCaller(good, "key_id", 7),
        withCaller(good, "tags", "job:7"),
        withCaller(good, "tags", new JsonArray().add("ok").add(7)),
        withCaller(good, "tags", new JsonArray().add("")),
        withCaller(good, "tags", new JsonArray(java.util.Collections.nCopies(Attribution.MAX_TAGS + 1, "t")))}) {
      assertThat(BackgroundCall.decode(forged.encode(), KNOWN)).as(forged.encode()).isEmpty();
    }
    // kept by a node from before attribution: read, with none
    JsonObject older = good.copy();
    older.getJsonObject("caller").remove("tags");
    older.getJsonObject("caller").remove("end_user");
    assertThat(BackgroundCall.decode(older.encode(), KNOWN).orElseThrow().pending().caller().attribution())
        .isEqualTo(Attribution.NONE);
    assertThat(BackgroundCall.decode("{not json", KNOWN)).isEmpty();
    assertThat(BackgroundCall.decode(42L, KNOWN)).isEmpty();
    assertThat(BackgroundCall.decode(null, KNOWN)).isEmpty();
    assertThat(BackgroundCall.decode("[]", KNOWN)).isEmpty();
  }

  private static JsonObject withCaller(JsonObject call, String field, Object value) {
    JsonObject copy = call.copy();
    copy.getJsonObject("caller").put(field, value);
    return copy;
  }
}
