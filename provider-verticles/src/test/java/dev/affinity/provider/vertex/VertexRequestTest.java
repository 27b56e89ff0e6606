package dev.affinity.provider.vertex;

import dev.affinity.model.RouteKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VertexRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "claude-sonnet-4-5@20250929";

  static Deployment deployment(String location, String apiBase) throws Exception {
    return ConfigLoader.parse("""
        model_list:
        - model_name: claude-sonnet-4-5
          litellm_params:
            model: vertex_ai/claude-sonnet-4-5@20250929
            vertex_project: proj-one
            vertex_location: %s
        %s""".formatted(location, apiBase == null ? "" : "    api_base: " + apiBase + "\n"), Map.of())
        .deployments().get(0);
  }

  private static JsonNode body(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void aMessageGoesToRawPredictOfTheModelInTheRegionalEndpoint() throws Exception {
    VertexRequest request = VertexRequest.of(deployment("us-east5", null), MODEL, false,
        body("{\"model\":\"claude-sonnet-4-5@20250929\",\"max_tokens\":8,\"messages\":[]}"));

    assertThat(request.uri()).isEqualTo("https://us-east5-aiplatform.googleapis.com/v1/projects/proj-one/locations/"
        + "us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict");
    assertThat(request.stream()).isFalse();
  }

  @Test
  void aStreamGoesToStreamRawPredictAndTheGlobalLocationToTheGlobalEndpoint() throws Exception {
    VertexRequest request = VertexRequest.of(deployment("global", null), MODEL, false,
        body("{\"model\":\"x\",\"stream\":true,\"max_tokens\":8,\"messages\":[]}"));

    assertThat(request.uri()).isEqualTo("https://aiplatform.googleapis.com/v1/projects/proj-one/locations/global/"
        + "publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict");
    assertThat(request.stream()).isTrue();
  }

  @Test
  void anApiBaseReplacesTheEndpoint() throws Exception {
    VertexRequest request = VertexRequest.of(deployment("us-east5", "http://127.0.0.1:9100/"), MODEL, false,
        body("{\"max_tokens\":8,\"messages\":[]}"));

    assertThat(request.uri()).startsWith("http://127.0.0.1:9100/v1/projects/proj-one/locations/us-east5/");
  }

  @Test
  void theBodyLosesTheModelAndNamesVertexsVersionKeepingEverythingElse() throws Exception {
    JsonNode original = body("""
        {"model":"claude-sonnet-4-5","stream":true,"max_tokens":8,"thinking":{"type":"enabled","budget_tokens":1024},
         "cache_control":{"type":"ephemeral"},
         "system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral","ttl":"1h"}}],
         "messages":[{"role":"user","content":"hi"}]}""");

    VertexRequest request = VertexRequest.of(deployment("us-east5", null), MODEL, false, original);

    JsonNode sent = JSON.readTree(request.body());
    JsonNode expected = original.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected).remove("model");
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("anthropic_version", "vertex-2023-10-16");
    assertThat(sent).isEqualTo(expected);
    assertThat(original.has("model")).as("the router's body is not changed").isTrue();
  }

  @Test
  void tokenCountingGoesToTheCountTokensModelWithTheModelInTheBody() throws Exception {
    VertexRequest request = VertexRequest.of(deployment("us-east5", null), MODEL, true,
        body("{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}"));

    assertThat(request.uri()).endsWith("/publishers/anthropic/models/count-tokens:rawPredict");
    JsonNode sent = JSON.readTree(request.body());
    assertThat(sent.path("model").asText()).isEqualTo(MODEL);
    assertThat(sent.path("anthropic_version").asText()).isEqualTo("vertex-2023-10-16");
  }

  @Test
  void aBodyThatIsNotAnObjectIsRefused() throws Exception {
    Deployment deployment = deployment("us-east5", null);
    assertThatThrownBy(() -> VertexRequest.of(deployment, MODEL, false, body("[1]")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aGeminiCallGoesToTheGooglePublisherWithTheTranslatedBody() throws Exception {
    Deployment deployment = deployment("us-east5", null);
    String anthropic = "{\"model\":\"gemini-flash\",\"max_tokens\":8,\"stream\":true,\"system\":\"be brief\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    VertexRequest streamed = VertexRequest.gemini(deployment, "gemini-2.5-flash",
        call(deployment, Operation.MESSAGES, true, anthropic));
    VertexRequest counted = VertexRequest.gemini(deployment, "gemini-2.5-flash",
        call(deployment, Operation.COUNT_TOKENS, false, anthropic));

    assertThat(streamed.uri()).isEqualTo("https://us-east5-aiplatform.googleapis.com/v1/projects/proj-one/locations/"
        + "us-east5/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    assertThat(streamed.stream()).isTrue();
    JsonNode body = JSON.readTree(streamed.body());
    assertThat(body.path("contents").path(0).path("parts").path(0).path("text").asText()).isEqualTo("hi");
    assertThat(body.path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(8);
    assertThat(body.has("model")).isFalse();
    assertThat(counted.uri()).endsWith("/publishers/google/models/gemini-2.5-flash:countTokens");
    assertThat(counted.stream()).isFalse();
    assertThat(JSON.readTree(counted.body()).has("generationConfig")).isFalse();
  }

  private static ProviderCall call(Deployment deployment, Operation operation, boolean stream, String body) {
    GatewayRequest request = new GatewayRequest("req-1", operation, "gemini-flash", stream, "default", Map.of(), null,
        Buffer.buffer(body), null);
    return new ProviderCall(request, deployment, Buffer.buffer(body), RouteKind.UNPINNED, 10_000, System.nanoTime(), false);
  }
}
