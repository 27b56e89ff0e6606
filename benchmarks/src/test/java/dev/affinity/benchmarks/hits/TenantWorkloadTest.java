package dev.affinity.benchmarks.hits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantWorkloadTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode request(TenantWorkload.TenantSession session) throws Exception {
    return JSON.readTree(session.session().request(false));
  }

  @Test
  void sharedAgentTenantsShareToolsAndAgentPromptButNotProjectInstructions() throws Exception {
    List<TenantWorkload.TenantSession> sessions =
        TenantWorkload.sessions(TenantWorkload.Kind.SHARED_AGENT, 7, 3, 2, "m");

    assertThat(sessions).extracting(TenantWorkload.TenantSession::id)
        .containsExactly("t1-s1", "t1-s2", "t2-s1", "t2-s2", "t3-s1", "t3-s2");
    JsonNode t1 = request(sessions.get(0));
    JsonNode t1Other = request(sessions.get(1));
    JsonNode t2 = request(sessions.get(2));
    assertThat(t2.get("tools")).isEqualTo(t1.get("tools"));
    assertThat(t2.get("system").get(1)).isEqualTo(t1.get("system").get(1));
    assertThat(t2.get("system").get(2)).isNotEqualTo(t1.get("system").get(2));
    assertThat(t1Other.get("system")).isEqualTo(t1.get("system"));
    assertThat(t1Other.get("messages")).isNotEqualTo(t1.get("messages"));
  }

  @Test
  void ownPromptTenantsShareNothingAcrossTenants() throws Exception {
    List<TenantWorkload.TenantSession> sessions =
        TenantWorkload.sessions(TenantWorkload.Kind.OWN_PROMPTS, 7, 2, 2, "m");

    assertThat(sessions).extracting(TenantWorkload.TenantSession::tenant).containsExactly("t1", "t1", "t2", "t2");
    assertThat(sessions).extracting(TenantWorkload.TenantSession::id).doesNotHaveDuplicates();
    JsonNode t1 = request(sessions.get(0));
    JsonNode t2 = request(sessions.get(2));
    assertThat(request(sessions.get(1)).get("system")).isEqualTo(t1.get("system"));
    assertThat(request(sessions.get(1)).get("tools")).isEqualTo(t1.get("tools"));
    assertThat(t2.get("tools").get(0)).isNotEqualTo(t1.get("tools").get(0));
    assertThat(t2.get("system").get(1)).isNotEqualTo(t1.get("system").get(1));
  }

  @Test
  void theSameSeedGivesTheSameRequests() {
    for (TenantWorkload.Kind kind : TenantWorkload.Kind.values()) {
      List<TenantWorkload.TenantSession> one = TenantWorkload.sessions(kind, 5, 2, 2, "m");
      List<TenantWorkload.TenantSession> two = TenantWorkload.sessions(kind, 5, 2, 2, "m");
      for (int i = 0; i < one.size(); i++) {
        assertThat(one.get(i).session().request(false)).isEqualTo(two.get(i).session().request(false));
      }
    }
  }

  @Test
  void kindsAreNamedOnTheCommandLineByTheirLabel() {
    assertThat(TenantWorkload.Kind.of("own-prompts")).isEqualTo(TenantWorkload.Kind.OWN_PROMPTS);
    assertThat(TenantWorkload.Kind.of("shared-agent")).isEqualTo(TenantWorkload.Kind.SHARED_AGENT);
  }
}
