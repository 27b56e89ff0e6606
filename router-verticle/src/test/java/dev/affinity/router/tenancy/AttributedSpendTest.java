package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LiteLLM's spend by tag and by end user, in its fields, without a store. */
class AttributedSpendTest {

  private static final List<TenantStore.GroupSpend> TAGS = List.of(new TenantStore.GroupSpend("job:7", 3, 0.123456),
      new TenantStore.GroupSpend("env", 1, 0.01));

  @Test
  void perTagInBothOfLiteLlmsShapes() {
    assertThat(AttributedSpend.byTag(TAGS).getJsonObject(0)).isEqualTo(new JsonObject()
        .put("individual_request_tag", "job:7").put("log_count", 3L).put("total_spend", 0.123456));
    assertThat(AttributedSpend.chart(TAGS, null)).isEqualTo(new JsonObject().put("spend_per_tag", new JsonArray()
        .add(new JsonObject().put("name", "job:7").put("spend", 0.1235).put("log_count", 3L))
        .add(new JsonObject().put("name", "env").put("spend", 0.01).put("log_count", 1L))));
    assertThat(AttributedSpend.chart(TAGS, java.util.Set.of("env")).getJsonArray("spend_per_tag")).hasSize(1);
    assertThat(AttributedSpend.tagNames(TAGS).getJsonArray("tag_names")).containsExactly("job:7", "env");
  }

  @Test
  void theTagChartNeedsItsDaysAndTakesAllTagsForEveryTag() {
    MultiMap days = MultiMap.caseInsensitiveMultiMap().add("start_date", "2026-12-01").add("end_date", "2026-12-07");
    assertThat(AttributedSpend.TagQuery.of(days).tags()).isNull();
    assertThat(AttributedSpend.TagQuery.of(MultiMap.caseInsensitiveMultiMap().addAll(days).add("tags", "a,b")).tags())
        .containsExactlyInAnyOrder("a", "b");
    assertThat(AttributedSpend.TagQuery.of(MultiMap.caseInsensitiveMultiMap().addAll(days)
        .add("tags", "a," + AttributedSpend.ALL_TAGS)).tags()).isNull();
    assertThatThrownBy(() -> AttributedSpend.TagQuery.of(MultiMap.caseInsensitiveMultiMap()))
        .hasMessageContaining("start_date and end_date are required");
    assertThat(AttributedSpend.tagsFilter(MultiMap.caseInsensitiveMultiMap()).fromMillis()).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void endUsersAreReadOverThirtyDaysUnlessTheBodySaysAndOfOneKeyWhenItNamesOne() {
    Instant now = Instant.parse("2026-12-08T12:00:00Z");
    Map<String, String> keys = Map.of("sk-known", "key-1");
    SpendFilter defaults = AttributedSpend.endUsersFilter(new JsonObject(), now, keys::get).orElseThrow();
    assertThat(defaults.fromMillis()).isEqualTo(now.minusSeconds(30 * 86_400L).toEpochMilli());
    assertThat(defaults.beforeMillis()).isEqualTo(now.toEpochMilli());
    assertThat(defaults.limit()).isEqualTo(AttributedSpend.TOP_END_USERS);
    SpendFilter said = AttributedSpend.endUsersFilter(new JsonObject().put("api_key", "sk-known")
        .put("startTime", "2026-12-01").put("endTime", "2026-12-02T06:00:00+02:00"), now, keys::get).orElseThrow();
    assertThat(said.keyId()).isEqualTo("key-1");
    assertThat(said.fromMillis()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
    assertThat(said.beforeMillis()).isEqualTo(Instant.parse("2026-12-02T04:00:00Z").toEpochMilli());
    assertThat(AttributedSpend.endUsersFilter(new JsonObject().put("api_key", "sk-gone"), now, keys::get)).isEmpty();
    for (JsonObject wrong : List.of(new JsonObject().put("startTime", "soon"), new JsonObject().put("user", "x"),
        new JsonObject().put("startTime", "2026-12-02").put("endTime", "2026-12-01"),
        new JsonObject().put("api_key", 7))) {
      assertThatThrownBy(() -> AttributedSpend.endUsersFilter(wrong, now, keys::get)).as(wrong.encode())
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(AttributedSpend.byEndUser(List.of(new TenantStore.GroupSpend(null, 2, 0.5))).getJsonObject(0))
        .isEqualTo(new JsonObject().putNull("end_user").put("total_count", 2L).put("total_spend", 0.5));
    assertThat(AttributedSpend.endUserNames(List.of(new TenantStore.GroupSpend(null, 2, 0.5),
        new TenantStore.GroupSpend("u", 1, 0.1))).getJsonArray("end_users")).containsExactly("u");
  }
}
