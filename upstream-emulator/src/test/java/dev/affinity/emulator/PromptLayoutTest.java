package dev.affinity.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class PromptLayoutTest {

  private static PromptLayout layout(String json) {
    return PromptLayout.of("claude-sonnet-4-5", new JsonObject(json));
  }

  @Test
  void keyOrderWhitespaceAndMarkersDoNotChangeHashes() {
    PromptLayout a = layout("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}");
    PromptLayout b = layout("{\"messages\":[{\"content\":[ {\"text\":\"hi\", \"type\":\"text\","
        + "\"cache_control\":{\"type\":\"ephemeral\"}} ],\"role\":\"user\"}]}");
    assertThat(b.hash(0)).isEqualTo(a.hash(0));
    assertThat(b.breakpoints()).hasSize(1);
  }

  @Test
  void roleModelAndSectionArePartOfTheIdentity() {
    PromptLayout user = layout("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    PromptLayout assistant = layout("{\"messages\":[{\"role\":\"assistant\",\"content\":\"hi\"}]}");
    PromptLayout system = layout("{\"system\":\"hi\",\"messages\":[]}");
    PromptLayout otherModel = PromptLayout.of("claude-opus-4-6",
        new JsonObject("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    assertThat(user.hash(0)).isNotEqualTo(assistant.hash(0)).isNotEqualTo(system.hash(0))
        .isNotEqualTo(otherModel.hash(0));
  }

  @Test
  void prefixTokensIncludeTheMessageOverheadOnItsFirstBlock() {
    PromptLayout layout = layout("{\"system\":\"12345678\",\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"abcde\"},{\"type\":\"text\",\"text\":\"x\"}]}]}");
    assertThat(layout.prefixTokens(0)).isEqualTo(2);
    assertThat(layout.prefixTokens(1)).isEqualTo(2 + 3 + 2);
    assertThat(layout.prefixTokens(2)).isEqualTo(2 + 3 + 2 + 1);
    assertThat(layout.totalTokens()).isEqualTo(8);
  }
}
