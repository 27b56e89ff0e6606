package dev.affinity.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a call was made for, bounded whatever a client, a configuration or the cluster says. */
class AttributionTest {

  @Test
  void aDeploymentsTagsFollowTheRequestsEachOnceWithinTheBound() {
    Attribution request = new Attribution("u", List.of("a", "b"));
    assertThat(request.withTags(List.of("b", "c", "", "x".repeat(Attribution.MAX_CHARS + 1))).tags())
        .containsExactly("a", "b", "c");
    assertThat(request.withTags(List.of())).isSameAs(request);
    List<String> full = new ArrayList<>();
    for (int i = 0; i < Attribution.MAX_TAGS - 1; i++) {
      full.add("t" + i);
    }
    assertThat(new Attribution(null, full).withTags(List.of("last", "over")).tags())
        .hasSize(Attribution.MAX_TAGS).endsWith("last");
  }

  @Test
  void theBoundsHold() {
    assertThat(new Attribution("x".repeat(300), null).endUser()).hasSize(Attribution.MAX_CHARS);
    assertThat(new Attribution("", null)).isEqualTo(Attribution.NONE);
    assertThatThrownBy(() -> new Attribution(null, List.of(""))).isInstanceOf(IllegalArgumentException.class);
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= Attribution.MAX_TAGS; i++) {
      many.add("t" + i);
    }
    assertThatThrownBy(() -> new Attribution(null, many)).isInstanceOf(IllegalArgumentException.class);
  }
}
