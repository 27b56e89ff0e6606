package dev.affinity.provider.bedrock;

import dev.affinity.model.GatewayError;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BedrockErrorTest {

  static Deployment deployment(String credentials) throws Exception {
    return ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_region_name: us-west-2
            %s
          model_info: {id: bedrock-a}
        """.formatted(credentials), Map.of()).deployments().get(0);
  }

  private static byte[] body(String message) {
    return ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource({
      "429, ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/, 429, rate_limit_error",
      "400, ServiceQuotaExceededException, 429, rate_limit_error",
      "400, ValidationException, 400, invalid_request_error",
      "403, AccessDeniedException, 403, permission_error",
      "404, ResourceNotFoundException, 404, not_found_error",
      "429, ModelNotReadyException, 529, overloaded_error",
      "503, ServiceUnavailableException, 529, overloaded_error",
      "500, InternalServerException, 500, api_error",
      "424, ModelErrorException, 500, api_error",
      "408, ModelTimeoutException, 504, timeout_error",
      "418, SomethingNewException, 418, invalid_request_error",
      "502, , 502, api_error",
  })
  void mapsBedrockTypesToAnthropicStatusesAndTypes(int status, String header, int expectedStatus,
                                                   String expectedType) throws Exception {
    GatewayError error = BedrockError.of(status, header, body("Too many tokens, please wait."),
        deployment("aws_profile_name: account-1"));
    assertThat(error.status()).isEqualTo(expectedStatus);
    assertThat(error.type()).isEqualTo(expectedType);
    assertThat(error.message()).endsWith(": Too many tokens, please wait.");
  }

  @Test
  void theTypeMayComeFromTheBody() throws Exception {
    GatewayError error = BedrockError.of(400, null,
        "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"Message\":\"max_tokens: required\"}"
            .getBytes(StandardCharsets.UTF_8), deployment(""));
    assertThat(error).isEqualTo(new GatewayError(400, "invalid_request_error",
        "Bedrock ValidationException: max_tokens: required"));
  }

  @Test
  void rejectedCredentialsNameTheProfileAndNothingAwsSaid() throws Exception {
    GatewayError error = BedrockError.of(403, "InvalidSignatureException",
        body("The request signature we calculated does not match. Canonical String: POST /model/x"),
        deployment("aws_profile_name: account-1"));
    assertThat(error.status()).isEqualTo(403);
    assertThat(error.type()).isEqualTo("permission_error");
    assertThat(error.message()).isEqualTo("deployment bedrock-a: AWS did not accept the credentials of profile"
        + " 'account-1' (InvalidSignatureException)");

    GatewayError keys = BedrockError.of(403, "UnrecognizedClientException", body("The security token is invalid"),
        deployment("aws_access_key_id: AKIASECRETISH0000001\n    aws_secret_access_key: very-secret"));
    assertThat(keys.message()).startsWith("deployment bedrock-a: AWS did not accept the credentials of the"
        + " configured access key sha256:").doesNotContain("AKIASECRETISH0000001").doesNotContain("very-secret");
  }

  @Test
  void aBodyThatIsNotJsonStillMapsByStatus() throws Exception {
    GatewayError error = BedrockError.of(503, null, "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8),
        deployment(""));
    assertThat(error).isEqualTo(new GatewayError(503, "api_error", "Bedrock error 503"));
  }
}
