package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.Attribution;
import dev.affinity.model.GatewayErrorException;
import dev.affinity.router.tenancy.Identity;
import dev.affinity.router.tenancy.Team;
import dev.affinity.router.tenancy.VirtualKey;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a virtual key's request says it was made for: end user and tags, read as LiteLLM reads them. */
class RequestAttributionTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Identity identity(List<?> keyTags, List<?> teamTags) {
    VirtualKey key = new VirtualKey("k1", "0123456789abcdef", "sk-...1", null, "t1", List.of(), null, null,
        Map.of("tags", keyTags), Map.of(), false, 0);
    Team team = new Team("t1", null, List.of(), null, Map.of("tags", teamTags), false, List.of(), 0);
    return Identity.of(key, team);
  }

  private static Attribution read(String body, String header, Identity identity) throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (header != null) {
      headers.add("X-LiteLLM-Tags", header);
    }
    return RequestAttribution.read(JSON.readTree(body), headers, identity);
  }

  @Test
  void tagsComeFromTheHeaderTheBodyTheKeyAndTheTeamEachOnce() throws Exception {
    Attribution read = read("{\"tags\":[\"job:7\"],\"metadata\":{\"tags\":[\" env:prod \",\"job:7\"]}}",
        "team-api, , us-east-1", identity(List.of("key-tag", 5, "team-api"), List.of("team-tag")));
    assertThat(read.tags()).containsExactly("team-api", "us-east-1", "job:7", "env:prod", "key-tag", "team-tag");
    assertThat(read(("{}"), null, identity(List.of(), List.of())).tags()).isEmpty();
  }

  @Test
  void theEndUserIsOpenAisUserElseAnthropicsUserId() throws Exception {
    Identity none = identity(List.of(), List.of());
    assertThat(read("{\"user\":\"u-1\",\"metadata\":{\"user_id\":\"u-2\"}}", null, none).endUser()).isEqualTo("u-1");
    assertThat(read("{\"metadata\":{\"user_id\":\"u-2\"}}", null, none).endUser()).isEqualTo("u-2");
    assertThat(read("{\"user\":7}", null, none).endUser()).isNull();
    assertThat(read("{\"user\":\"" + "x".repeat(300) + "\"}", null, none).endUser())
        .as("kept to its first characters").hasSize(Attribution.MAX_CHARS);
  }

  @Test
  void theClientsTagsAreRefusedWhenNotStringsTooManyOrTooLongAndTheKeysFillWhatIsLeft() throws Exception {
    Identity none = identity(List.of(), List.of());
    assertThatThrownBy(() -> read("{\"metadata\":{\"tags\":[\"a\",1]}}", null, none))
        .isInstanceOf(GatewayErrorException.class).hasMessageContaining("must be an array of strings");
    assertThatThrownBy(() -> read("{}", "x".repeat(Attribution.MAX_CHARS + 1), none))
        .isInstanceOf(GatewayErrorException.class).hasMessageContaining("at most " + Attribution.MAX_CHARS);
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= Attribution.MAX_TAGS; i++) {
      many.add("\"t" + i + "\"");
    }
    assertThatThrownBy(() -> read("{\"tags\":[" + String.join(",", many) + "]}", null, none))
        .isInstanceOf(GatewayErrorException.class).hasMessageContaining("at most " + Attribution.MAX_TAGS + " tags");
    // the key's own tags never fail its requests: they fill what room the client left
    List<String> keyTags = new ArrayList<>();
    for (int i = 0; i < Attribution.MAX_TAGS; i++) {
      keyTags.add("k" + i);
    }
    Attribution full = read("{\"tags\":[\"mine\"]}", null, identity(keyTags, List.of("team")));
    assertThat(full.tags()).hasSize(Attribution.MAX_TAGS).startsWith("mine", "k0").doesNotContain("team");
  }
}
