package dev.affinity.router.observe;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestJournalTest {

  private static RequestJournal.Call call(long at, String id, long read, long write, double cost, double saved) {
    return new RequestJournal.Call(at, id, "sonnet", "d1", "pinned", 200, 10, read, write, 5, cost, saved, 12);
  }

  @Test
  void keepsTheLastCallsNewestFirstAndTotalsEachIntervalWithinItsBounds() {
    RequestJournal journal = new RequestJournal(3, 10_000, 2, () -> 35_000);
    journal.add(call(1_000, "r1", 0, 1000, 0.01, -0.002));
    journal.add(call(12_000, "r2", 900, 0, 0.001, 0.003));
    journal.add(call(15_000, "r3", 900, 0, 0.001, 0.003));
    journal.add(call(31_000, "r4", 0, 0, 0.001, 0));
    JsonObject json = journal.toJson(10);
    JsonArray recent = json.getJsonArray("recent");
    assertThat(recent.stream().map(entry -> ((JsonObject) entry).getString("request"))).containsExactly("r4", "r3",
        "r2");
    JsonArray history = json.getJsonArray("history");
    // two intervals kept: 10-20 s and 30-40 s; the first one fell out
    assertThat(history).hasSize(2);
    JsonObject second = history.getJsonObject(0);
    assertThat(second.getString("at")).isEqualTo("1970-01-01T00:00:10Z");
    assertThat(second.getLong("requests")).isEqualTo(2);
    assertThat(second.getLong("prompt_tokens")).isEqualTo(2 * (10 + 900));
    assertThat(second.getDouble("hit_rate")).isEqualTo(1800.0 / 1820);
    assertThat(second.getDouble("saved_usd")).isEqualTo(0.006);
    assertThat(history.getJsonObject(1).getDouble("hit_rate")).isZero();
    assertThat(journal.toJson(1).getJsonArray("recent")).hasSize(1);
  }
}
