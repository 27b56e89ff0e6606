package dev.affinity.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Responses API client as the end-to-end tests of each upstream play it over plain HTTP: a conversation that sends
 * its whole history every turn (as Codex does with {@code store: false}), and one streamed answer.
 */
public final class ResponsesTurns {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern EVENT = Pattern.compile("^event: (\\S+)$", Pattern.MULTILINE);

  /** One turn's answer: where it went, how, and the cache tokens it read. */
  public record Turn(String deployment, String route, JsonNode response) {

    public long cachedTokens() {
      return response.path("usage").path("input_tokens_details").path("cached_tokens").asLong();
    }

    public String text() {
      for (JsonNode item : response.path("output")) {
        if (item.path("type").asText().equals("message")) {
          return item.path("content").path(0).path("text").asText();
        }
      }
      return "";
    }
  }

  private ResponsesTurns() {
  }

  /**
   * {@code turns} turns of one conversation on {@code model}, each answered 200 as a completed response object
   * naming the alias, its text handed back as the assistant's in the next turn.
   */
  public static List<Turn> conversation(TestGateway gateway, String model, String instructions, int turns,
      String... headers) throws Exception {
    ArrayNode input = JSON.createArrayNode();
    List<Turn> answered = new ArrayList<>();
    for (int turn = 0; turn < turns; turn++) {
      input.addObject().put("role", "user").put("content", "question " + turn + ": how does caching help?");
      ObjectNode request = JSON.createObjectNode().put("model", model).put("instructions", instructions)
          .put("max_output_tokens", 32).put("store", false);
      request.set("input", input.deepCopy());
      HttpResponse<String> response = gateway.post("/v1/responses", request.toString(),
          withJson(headers));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(response.body());
      assertThat(body.path("object").asText()).isEqualTo("response");
      assertThat(body.path("status").asText()).isEqualTo("completed");
      assertThat(body.path("model").asText()).isEqualTo(model);
      Turn answer = new Turn(response.headers().firstValue("x-affinity-deployment").orElseThrow(),
          response.headers().firstValue("x-affinity-route").orElseThrow(), body);
      assertThat(answer.text()).isNotBlank();
      answered.add(answer);
      input.addObject().put("role", "assistant").put("content", answer.text());
    }
    return answered;
  }

  /** Every turn on one deployment, and every turn after the first pinned there and reading more than {@code minRead}. */
  public static void assertOneDeploymentReadingItsCache(List<Turn> turns, long minRead) {
    assertThat(turns.stream().map(Turn::deployment).distinct()).hasSize(1);
    assertThat(turns.subList(1, turns.size())).allSatisfy(turn -> {
      assertThat(turn.route()).isEqualTo("pinned");
      assertThat(turn.cachedTokens()).isGreaterThan(minRead);
    });
  }

  /** One streamed answer on {@code model} comes as the Responses API's typed events, text deltas between. */
  public static void assertStreamsTypedEvents(TestGateway gateway, String model, String... headers) throws Exception {
    assertThat(streamedEventTypes(gateway, model, headers)).startsWith("response.created")
        .contains("response.output_text.delta").endsWith("response.completed");
  }

  /** The event types of one streamed answer on {@code model}, in order; its {@code response.completed} checked. */
  public static List<String> streamedEventTypes(TestGateway gateway, String model, String... headers)
      throws Exception {
    HttpResponse<String> response = gateway.post("/v1/responses", JSON.createObjectNode().put("model", model)
        .put("input", "stream a short answer").put("max_output_tokens", 32).put("stream", true).toString(),
        withJson(headers));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    List<String> types = new ArrayList<>();
    Matcher event = EVENT.matcher(response.body());
    while (event.find()) {
      types.add(event.group(1));
    }
    String last = response.body().substring(response.body().lastIndexOf("data: ") + 6).trim();
    JsonNode completed = JSON.readTree(last);
    assertThat(completed.path("type").asText()).isEqualTo("response.completed");
    assertThat(completed.path("response").path("usage").path("output_tokens").asLong()).isPositive();
    return types;
  }

  private static String[] withJson(String... headers) {
    String[] all = new String[headers.length + 2];
    System.arraycopy(headers, 0, all, 0, headers.length);
    all[headers.length] = "content-type";
    all[headers.length + 1] = "application/json";
    return all;
  }
}
