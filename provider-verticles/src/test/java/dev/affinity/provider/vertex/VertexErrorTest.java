package dev.affinity.provider.vertex;

import dev.affinity.model.GatewayError;
import dev.affinity.model.config.Deployment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class VertexErrorTest {

  private static Deployment deployment;

  @BeforeAll
  static void load() throws Exception {
    deployment = VertexRequestTest.deployment("us-east5", null);
  }

  private static GatewayError of(int status, String body) {
    return VertexError.of(status, body.getBytes(StandardCharsets.UTF_8), deployment);
  }

  private static String google(int code, String status, String message) {
    return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"}}";
  }

  @Test
  void aQuotaErrorIsARateLimitNamingTheProject() {
    GatewayError error = of(429, google(429, "RESOURCE_EXHAUSTED", "Quota exceeded for base model"));

    assertThat(error).isEqualTo(new GatewayError(429, "rate_limit_error",
        "Vertex AI RESOURCE_EXHAUSTED for project proj-one: Quota exceeded for base model"));
  }

  @Test
  void credentialErrorsNameTheDeploymentAndProjectButNoToken() {
    GatewayError unauthenticated = of(401, google(401, "UNAUTHENTICATED", "Request had invalid authentication"));
    GatewayError denied = of(403, google(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied"));

    assertThat(unauthenticated.status()).isEqualTo(401);
    assertThat(unauthenticated.type()).isEqualTo("authentication_error");
    assertThat(unauthenticated.message()).isEqualTo("deployment " + deployment.id() + ": Vertex AI did not accept"
        + " the access token of the application default credentials for project proj-one");
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.type()).isEqualTo("permission_error");
    assertThat(denied.message()).contains("deployment " + deployment.id(), "project proj-one", "denied");
  }

  @Test
  void googleStatusesMapToAnthropicTypes() {
    assertThat(of(400, google(400, "INVALID_ARGUMENT", "bad"))).extracting(GatewayError::status, GatewayError::type)
        .containsExactly(400, "invalid_request_error");
    assertThat(of(404, google(404, "NOT_FOUND", "Publisher model not found")))
        .extracting(GatewayError::status, GatewayError::type).containsExactly(404, "not_found_error");
    assertThat(of(503, google(503, "UNAVAILABLE", "try later")))
        .extracting(GatewayError::status, GatewayError::type).containsExactly(529, "overloaded_error");
    assertThat(of(500, google(500, "INTERNAL", "oops")))
        .extracting(GatewayError::status, GatewayError::type).containsExactly(500, "api_error");
  }

  @Test
  void anthropicsOwnErrorsPassThrough() {
    GatewayError error = of(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");

    assertThat(error).isEqualTo(new GatewayError(529, "overloaded_error", "Overloaded"));
  }

  @Test
  void aBodyThatIsNotJsonIsJudgedByItsStatus() {
    assertThat(of(429, "<html>Too Many Requests</html>")).extracting(GatewayError::status, GatewayError::type)
        .containsExactly(429, "rate_limit_error");
    assertThat(of(502, "<html>Bad Gateway</html>")).extracting(GatewayError::status, GatewayError::type)
        .containsExactly(502, "api_error");
    assertThat(of(401, "")).extracting(GatewayError::status, GatewayError::type)
        .containsExactly(401, "authentication_error");
  }
}
