package dev.affinity.router.tenancy;

import dev.affinity.model.Attribution;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A spend row as the journal keeps it in the cluster and reads it back (SpendJournal): JSON, validated. */
class SpendRowTest {

  private static final SpendRow ROW = new SpendRow("req-1@acct-1", "req-1", "key-1", "0123456789ab", "team-a",
      "alias", "sonnet", "acct-1", "pinned", 200, 10, 20, 30, 40, 0.5, 12, 1_000, "user-1", List.of("job:7", "env"));

  @Test
  void readBackItIsTheSameRowWithItsEndUserAndTags() {
    assertThat(JsonObject.mapFrom(ROW).mapTo(SpendRow.class)).isEqualTo(ROW);
    JsonObject older = JsonObject.mapFrom(ROW);
    older.remove("endUser");
    older.remove("requestTags");
    SpendRow fromAnOlderNode = older.mapTo(SpendRow.class);
    assertThat(fromAnOlderNode.endUser()).isNull();
    assertThat(fromAnOlderNode.requestTags()).isEmpty();
  }

  @Test
  void aRowNoNodeWouldHaveWrittenIsRefused() {
    for (JsonArray tags : List.of(new JsonArray(Collections.nCopies(Attribution.MAX_TAGS + 1, "t")),
        new JsonArray().add(""), new JsonArray().add("x".repeat(Attribution.MAX_CHARS + 1)))) {
      JsonObject forged = JsonObject.mapFrom(ROW).put("requestTags", tags);
      assertThatThrownBy(() -> forged.mapTo(SpendRow.class)).as(tags.encode())
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
