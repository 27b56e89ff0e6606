package dev.affinity.router.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.assertj.core.data.Percentage;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Automatic-caching affinity on three OpenAI deployments, judged by the emulator's cached_tokens. */
class OpenAiAffinityTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("g-1", "sk-g-1").addAccount("g-2", "sk-g-2").addAccount("g-3", "sk-g-3")
        .addAccount("ideal", "sk-ideal")));
    StringBuilder yaml = new StringBuilder("model_list:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("""
            - model_name: gpt-4o
              litellm_params: {model: openai/gpt-4o, api_key: sk-g-%d, api_base: "%s/v1"}
              model_info: {id: g-%d}
          """.formatted(i, emulator.baseUrl(), i));
    }
    gateway = TestGateway.start(yaml.toString());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  private static HttpResponse<String> send(String baseUrl, String key, ObjectNode body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private static String words(Random random, int chars) {
    StringBuilder text = new StringBuilder();
    while (text.length() < chars) {
      text.append("term").append(random.nextInt(50_000)).append(' ');
    }
    return text.toString();
  }

  /** Six conversations of six turns, each with its own long system prompt, growing by whole messages. */
  private static List<List<ObjectNode>> conversations() {
    List<List<ObjectNode>> sessions = new ArrayList<>();
    for (int s = 0; s < 6; s++) {
      Random random = new Random(1000 + s);
      ArrayNode messages = JSON.createArrayNode();
      messages.addObject().put("role", "system").put("content", words(random, 10_000));
      List<ObjectNode> turns = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        messages.addObject().put("role", "user").put("content", "Question " + t + ": " + words(random, 600));
        ObjectNode request = JSON.createObjectNode().put("model", "gpt-4o").put("max_tokens", 16);
        request.set("messages", messages.deepCopy());
        turns.add(request);
        messages.addObject().put("role", "assistant").put("content", "Answer " + t + ": " + words(random, 400));
      }
      sessions.add(turns);
    }
    return sessions;
  }

  @Test
  void growingConversationsReadWhatOneDeploymentWould() throws Exception {
    List<List<ObjectNode>> sessions = conversations();
    List<Set<String>> deployments = new ArrayList<>();
    sessions.forEach(session -> deployments.add(new HashSet<>()));
    for (int turn = 0; turn < 6; turn++) {
      for (int s = 0; s < sessions.size(); s++) {
        ObjectNode request = sessions.get(s).get(turn);
        HttpResponse<String> routed = send(gateway.baseUrl(), "unused", request);
        deployments.get(s).add(routed.headers().firstValue("x-affinity-deployment").orElseThrow());
        send(emulator.baseUrl(), "sk-ideal", request);
      }
    }
    long ideal = emulator.counters("ideal").openAiCachedTokens();
    long routed = 0;
    for (String account : List.of("g-1", "g-2", "g-3")) {
      routed += emulator.counters(account).openAiCachedTokens();
    }
    System.out.printf("OpenAI cached tokens: ideal=%d affinity=%d (%.2f%%)%n", ideal, routed, 100.0 * routed / ideal);
    assertThat(deployments).allSatisfy(used -> assertThat(used).hasSize(1));
    assertThat(ideal).isPositive();
    assertThat((double) routed).isCloseTo(ideal, Percentage.withPercentage(1));
  }

  @Test
  void promptCacheKeyPinsShortPrompts() throws Exception {
    Set<String> chosen = new HashSet<>();
    List<String> routes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ObjectNode request = JSON.createObjectNode().put("model", "gpt-4o").put("prompt_cache_key", "user-42");
      request.putArray("messages").addObject().put("role", "user").put("content", "short question " + i);
      HttpResponse<String> response = send(gateway.baseUrl(), "unused", request);
      chosen.add(response.headers().firstValue("x-affinity-deployment").orElseThrow());
      routes.add(response.headers().firstValue("x-affinity-route").orElseThrow());
    }
    assertThat(chosen).hasSize(1);
    assertThat(routes.get(0)).isEqualTo("claimed");
    assertThat(routes.subList(1, routes.size())).containsOnly("pinned");
    // the key is passed through to the provider untouched
    String deployment = chosen.iterator().next();
    assertThat(emulator.capturedRequests(deployment, 1).get(0).body()).contains("\"prompt_cache_key\":\"user-42\"");
  }
}
