package dev.affinity.router.litellm;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.affinity.emulator.CapturedRequest;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenAI-compatible providers by LiteLLM prefix, called as each wants: Azure by deployment path, api-version and
 * {@code api-key} header; the others by {@code {api_base}/chat/completions} and Bearer; extra headers on every call;
 * affinity only where the provider caches.
 */
class OpenAiCompatibleProvidersTest {

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("az-1", "sk-az-1").addAccount("gq-1", "sk-gq-1").addAccount("mi-1", "sk-mi-1")));
    gateway = TestGateway.start("""
        model_list:
          - model_name: gpt-4o
            litellm_params:
              model: azure/my-gpt-4o
              api_base: "%1$s/"
              api_version: "2024-10-21"
              api_key: sk-az-1
          - model_name: llama
            litellm_params:
              model: groq/llama-3.1-8b-instant
              api_base: "%1$s/v1"
              api_key: sk-gq-1
              extra_headers: {X-Team: blue}
          - model_name: mistral
            litellm_params:
              model: mistral/mistral-small-latest
              api_base: "%1$s/v1"
              api_key: sk-mi-1
        """.formatted(emulator.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  private static HttpResponse<String> chat(String model, String content) throws Exception {
    return gateway.post("/v1/chat/completions", """
        {"model":"%s","max_tokens":16,"messages":[{"role":"system","content":"%s"},{"role":"user","content":"hi"}]}
        """.formatted(model, content), "content-type", "application/json");
  }

  private static CapturedRequest last(String account) {
    List<CapturedRequest> requests = emulator.capturedRequests(account);
    assertThat(requests).isNotEmpty();
    return requests.get(requests.size() - 1);
  }

  @Test
  void azureIsCalledByDeploymentPathApiVersionAndApiKeyHeader() throws Exception {
    HttpResponse<String> response = chat("gpt-4o", "be brief");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"chat.completion\"");
    CapturedRequest sent = last("az-1");
    assertThat(sent.uri()).isEqualTo("/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21");
    assertThat(sent.header("api-key")).isEqualTo(CapturedRequest.REDACTED);
    assertThat(sent.header("authorization")).isNull();
  }

  @Test
  void otherProvidersGetBearerAndTheDeploymentsExtraHeaders() throws Exception {
    HttpResponse<String> response = chat("llama", "be brief");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    CapturedRequest sent = last("gq-1");
    assertThat(sent.uri()).isEqualTo("/v1/chat/completions");
    assertThat(sent.header("authorization")).isEqualTo(CapturedRequest.REDACTED);
    assertThat(sent.header("x-team")).isEqualTo("blue");
    assertThat(sent.body()).contains("\"model\":\"llama-3.1-8b-instant\"");
  }

  @Test
  void affinityPinsOnlyWhereTheProviderCaches() throws Exception {
    String longPrompt = "The same long system prompt, sentence after sentence. ".repeat(600);

    HttpResponse<String> cached = chat("llama", longPrompt);
    HttpResponse<String> uncached = chat("mistral", longPrompt);

    assertThat(cached.statusCode()).isEqualTo(200);
    assertThat(cached.headers().firstValue("x-affinity-route")).as("Groq caches: the prefix is pinned")
        .hasValue("claimed");
    assertThat(uncached.statusCode()).isEqualTo(200);
    assertThat(uncached.headers().firstValue("x-affinity-route")).as("Mistral has no prompt cache to be near")
        .hasValue("unpinned");
  }
}
