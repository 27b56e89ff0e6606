package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The prompt's keys are computed on the ingress exactly as the router would, and only where the router would. */
class PromptKeysTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static GatewayConfig config(String routerSettings) throws Exception {
    return ConfigLoader.parse(routerSettings + """
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:1"}
            model_info: {id: a1}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, api_base: "http://127.0.0.1:1"}
            model_info: {id: a2}
        """, Map.of());
  }

  private static GatewayRequest request(Operation operation) throws Exception {
    byte[] body = AgentWorkload.agentRequestFixture(42);
    JsonNode json = JSON.readTree(body);
    return new GatewayRequest("req_1", operation, "claude", false, "default", Map.of(), null, Buffer.buffer(body),
        json);
  }

  @Test
  void theIngressComputesTheKeysTheRouterWould() throws Exception {
    GatewayConfig config = config("");
    GatewayRequest request = request(Operation.MESSAGES);
    PromptKeys prepared = PromptKeys.prepare(config, request);
    PromptKeys routerOwn = PromptKeys.of(request, config.deploymentsFor("claude").get(0), request.json());
    assertThat(prepared).isNotNull();
    assertThat(prepared.computedFor(config.deploymentsFor("claude").get(0))).isTrue();
    assertThat(prepared.computedFor(config.deploymentsFor("claude").get(1))).isFalse();
    assertThat(prepared.lookup().keys()).isNotEmpty().isEqualTo(routerOwn.lookup().keys());
    assertThat(prepared.plan().pins()).isNotEmpty().isEqualTo(routerOwn.plan().pins());
  }

  @Test
  void nothingIsComputedWhereTheRouterWouldNotUseIt() throws Exception {
    assertThat(PromptKeys.prepare(config("router_settings: {enable_prompt_cache_affinity: false}\n"),
        request(Operation.MESSAGES))).isNull();
    assertThat(PromptKeys.prepare(config(""), request(Operation.COUNT_TOKENS))).isNull();
    // an OpenAI client of Claude deployments: the router translates first, and hashes what it sends
    assertThat(PromptKeys.prepare(config(""), request(Operation.CHAT_COMPLETIONS))).isNull();
  }
}
