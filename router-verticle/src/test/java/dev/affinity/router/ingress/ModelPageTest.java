package dev.affinity.router.ingress;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelPageTest {

  private static final List<String> IDS = List.of("a", "b", "c", "d", "e");

  @Test
  void withoutLimitEveryIdIsOnePage() {
    assertThat(ModelPage.of(IDS, null, null, null)).isEqualTo(new ModelPage(IDS, false));
  }

  @Test
  void pagesForwardAndBackward() {
    assertThat(ModelPage.of(IDS, "2", null, null)).isEqualTo(new ModelPage(List.of("a", "b"), true));
    assertThat(ModelPage.of(IDS, "2", "b", null)).isEqualTo(new ModelPage(List.of("c", "d"), true));
    assertThat(ModelPage.of(IDS, "2", "d", null)).isEqualTo(new ModelPage(List.of("e"), false));
    assertThat(ModelPage.of(IDS, "2", null, "d")).isEqualTo(new ModelPage(List.of("b", "c"), true));
    assertThat(ModelPage.of(IDS, "1000", null, "b")).isEqualTo(new ModelPage(List.of("a"), false));
    assertThat(ModelPage.of(IDS, "1000", null, null)).isEqualTo(new ModelPage(IDS, false));
    assertThat(ModelPage.of(IDS, "3", "zzz", null)).isEqualTo(new ModelPage(List.of(), false));
  }

  @Test
  void aLimitOutOfRangeOrBothCursorsAreRefused() {
    for (String limit : new String[] {"0", "1001", "-1", "ten", ""}) {
      assertThatThrownBy(() -> ModelPage.of(IDS, limit, null, null)).hasMessageContaining("limit");
    }
    assertThatThrownBy(() -> ModelPage.of(IDS, "2", "a", "c")).hasMessageContaining("together");
  }
}
