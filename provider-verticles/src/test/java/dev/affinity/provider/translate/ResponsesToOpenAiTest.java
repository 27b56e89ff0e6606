package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static dev.affinity.provider.translate.PairFixture.call;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static dev.affinity.provider.translate.PairFixture.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Responses client, OpenAI upstream: a pass-through but for the response ids, which name the deployment that stored
 * the response (in answers and in every streamed event that carries the response object), and for a follow-up's
 * {@code previous_response_id}, which goes upstream as the upstream's own id. Usage is read from the answer and from
 * the stream's {@code response.completed}.
 */
class ResponsesToOpenAiTest {

  /** A Responses stream as OpenAI sends it, a multi-byte character in a delta. */
  static final String EVENTS = """
      event: response.created
      data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_up1","object":"response","status":"in_progress","previous_response_id":"resp_up0","temperature":1.0,"output":[],"usage":null}}

      event: response.in_progress
      data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_up1","object":"response","status":"in_progress","previous_response_id":"resp_up0","output":[],"usage":null}}

      event: response.output_text.delta
      data: {"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hé \\"response\\": x"}

      event: response.output_text.delta
      data: {"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"llo €"}

      event: response.completed
      data: {"type":"response.completed","sequence_number":4,"response":{"id":"resp_up1","object":"response","status":"completed","previous_response_id":"resp_up0","temperature":1.0,"output":[{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Hé llo €","annotations":[]}]}],"usage":{"input_tokens":3000,"input_tokens_details":{"cached_tokens":2048},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":3005}}}

      """;

  private final Translator pair = Translators.of(ClientApi.RESPONSES, ProviderKind.OPENAI, "gpt");
  private final Deployment deployment = PairFixture.deployment("""
      model: openai/gpt-4o
      api_key: sk-test""");
  private final String body = """
      {"model":"gpt-4o","input":"Hi","stream":true}""";

  private String gatewayId(String upstreamId) {
    return ResponseIds.of(deployment.id(), upstreamId);
  }

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(ResponsesToOpenAi.class);
  }

  @Test
  void aFirstTurnGoesUpstreamAsTheRouterMadeIt() {
    ProviderCall call = call(Operation.RESPONSES, deployment, body, false);
    assertThat(pair.canonical(call.request().json())).isSameAs(call.request().json());
    assertThat(pair.requestBody(call)).isSameAs(call.body());
  }

  @Test
  void aFollowUpSendsTheUpstreamsOwnId() {
    String followUp = "{\"model\":\"gpt-4o\",\"input\":\"more\",\"previous_response_id\":\"" + gatewayId("resp_up1")
        + "\",\"temperature\":0.70}";
    Buffer sent = pair.requestBody(call(Operation.RESPONSES, deployment, followUp, false));

    assertThat(json(sent).get("previous_response_id").asText()).isEqualTo("resp_up1");
    assertThat(json(sent).get("input").asText()).isEqualTo("more");
    // numbers go as the client wrote them
    assertThat(sent.toString()).contains("\"temperature\":0.70");
  }

  @Test
  void aFollowUpOfAnotherDeploymentOrAForgedIdIsTheClientsMistake() {
    for (String id : List.of(ResponseIds.of("openai/other", "resp_up1"), "resp_not-ours", "resp_")) {
      String followUp = "{\"model\":\"gpt-4o\",\"input\":\"more\",\"previous_response_id\":\"" + id + "\"}";
      TranslationException refused = catchThrowableOfType(TranslationException.class,
          () -> pair.requestBody(call(Operation.RESPONSES, deployment, followUp, false)));
      assertThat(refused.param()).as(id).isEqualTo("previous_response_id");
    }
  }

  @Test
  void anAnswerGetsTheGatewaysIdsAndItsUsageIsRead() {
    Buffer upstream = Buffer.buffer("{\"id\":\"resp_up1\",\"object\":\"response\",\"status\":\"completed\","
        + "\"previous_response_id\":\"resp_up0\",\"temperature\":1.0,\"output\":[],\"usage\":{\"input_tokens\":3000,"
        + "\"input_tokens_details\":{\"cached_tokens\":2048},\"output_tokens\":5,\"total_tokens\":3005}}");
    Answer answer = pair.answer(call(Operation.RESPONSES, deployment, body, false), 200, headers(), upstream);

    JsonNode relayed = json(answer.body());
    assertThat(relayed.get("id").asText()).isEqualTo(gatewayId("resp_up1"));
    assertThat(relayed.get("previous_response_id").asText()).isEqualTo(gatewayId("resp_up0"));
    assertThat(answer.body().toString()).contains("\"temperature\":1.0");
    assertThat(ResponseIds.origin(relayed.get("id").asText()))
        .contains(new ResponseIds.Origin(deployment.id(), "resp_up1"));
    assertThat(answer.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
    assertThat(answer.errorType()).isNull();
  }

  /** An operation on the stored response {@code upstreamId} of this deployment, as the router hands it over. */
  private ProviderCall onStored(Operation operation, String upstreamId) {
    GatewayRequest request = GatewayRequest.onStored("req-1", operation, gatewayId(upstreamId), "default", null,
        null);
    return new ProviderCall(request, deployment, request.body(), RouteKind.STORED, 10_000, System.nanoTime(), false);
  }

  @Test
  void operationsOnAStoredResponseSendNoBody() {
    for (Operation operation : List.of(Operation.RESPONSE_RETRIEVE, Operation.RESPONSE_DELETE,
        Operation.RESPONSE_CANCEL, Operation.RESPONSE_INPUT_ITEMS)) {
      assertThat(pair.requestBody(onStored(operation, "resp_up1")).length()).as(operation.name()).isZero();
    }
  }

  @Test
  void aRetrievedOrDeletedResponseCarriesTheClientsIdAndTheUsageOfTheCallThatMadeIt() {
    Buffer retrieved = Buffer.buffer("{\"id\":\"resp_up1\",\"object\":\"response\",\"status\":\"completed\","
        + "\"previous_response_id\":\"resp_up0\",\"output\":[{\"id\":\"msg_1\",\"type\":\"message\"}],"
        + "\"usage\":{\"input_tokens\":3000,\"output_tokens\":5,\"total_tokens\":3005}}");
    Answer answer = pair.answer(onStored(Operation.RESPONSE_RETRIEVE, "resp_up1"), 200, headers(), retrieved);

    JsonNode relayed = json(answer.body());
    assertThat(relayed.get("id").asText()).isEqualTo(gatewayId("resp_up1"));
    assertThat(relayed.get("previous_response_id").asText()).isEqualTo(gatewayId("resp_up0"));
    assertThat(relayed.get("output").get(0).get("id").asText()).isEqualTo("msg_1");
    // the usage of the call that made it, which the router books only for a background call not booked yet
    assertThat(answer.usage().inputTokens()).isEqualTo(3000);
    assertThat(answer.usage().outputTokens()).isEqualTo(5);

    Buffer deleted = Buffer.buffer("{\"id\":\"resp_up1\",\"object\":\"response\",\"deleted\":true}");
    JsonNode deletion = json(pair.answer(onStored(Operation.RESPONSE_DELETE, "resp_up1"), 200, headers(), deleted)
        .body());
    assertThat(deletion.get("id").asText()).isEqualTo(gatewayId("resp_up1"));
    assertThat(deletion.get("deleted").asBoolean()).isTrue();
  }

  @Test
  void aListOfInputItemsKeepsItsItemIds() {
    Buffer list = Buffer.buffer("{\"object\":\"list\",\"data\":[{\"id\":\"msg_2\",\"type\":\"message\"},"
        + "{\"id\":\"msg_1\",\"type\":\"message\"}],\"first_id\":\"msg_2\",\"last_id\":\"msg_1\","
        + "\"has_more\":false}");
    Answer answer = pair.answer(onStored(Operation.RESPONSE_INPUT_ITEMS, "resp_up1"), 200, headers(), list);

    assertThat(json(answer.body())).isEqualTo(json(list));
    assertThat(answer.usage()).isEqualTo(TokenUsage.NONE);
  }

  @Test
  void upstreamErrorsPassUnmodified() {
    Buffer upstream = Buffer.buffer("{\"error\":{\"message\":\"Previous response with id 'resp_x' not found.\","
        + "\"type\":\"invalid_request_error\",\"param\":\"previous_response_id\","
        + "\"code\":\"previous_response_not_found\"}}");
    Answer answer = pair.answer(call(Operation.RESPONSES, deployment, body, false), 404, headers(), upstream);
    assertThat(answer.body()).isSameAs(upstream);
    assertThat(answer.statusFor(404)).isEqualTo(404);
    assertThat(answer.errorType()).isEqualTo("invalid_request_error");

    Buffer page = Buffer.buffer("<html>bad gateway</html>");
    Answer html = pair.answer(call(Operation.RESPONSES, deployment, body, false), 502, headers(), page);
    assertThat(html.body()).isSameAs(page);
    assertThat(html.errorType()).isEqualTo("server_error");
  }

  @Test
  void theStreamIsRelayedWithTheGatewaysIdsWhereverTheNetworkCutsIt() {
    String expected = EVENTS.replace("\"id\":\"resp_up1\"", "\"id\":\"" + gatewayId("resp_up1") + "\"")
        .replace("\"previous_response_id\":\"resp_up0\"", "\"previous_response_id\":\"" + gatewayId("resp_up0") + "\"");
    for (int size : new int[] {1, 3, 17, 64}) {
      StreamTranslation stream = pair.stream(call(Operation.RESPONSES, deployment, body, false));
      String out = whole(stream, utf8(EVENTS), size);
      assertThat(out).as("cut every %d bytes", size).isEqualTo(expected);
      assertThat(stream.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
      assertThat(stream.errorType()).isNull();
      assertThat(stream.contentType()).isNull();
    }
  }

  /**
   * A background response runs on upstream when its stream is cut: while the stream has shown it running and not
   * over, the stream names it (the client's id), so that the call's usage is read back later; a foreground one never.
   */
  @Test
  void aBackgroundResponseRunningIsNamedUntilItIsOver() {
    String background = EVENTS.replace("\"status\":\"in_progress\"", "\"status\":\"in_progress\",\"background\":true")
        .replace("\"status\":\"completed\"", "\"status\":\"completed\",\"background\":true");
    int completed = background.indexOf("event: response.completed");
    StreamTranslation stream = pair.stream(call(Operation.RESPONSES, deployment, body, false));
    assertThat(stream.runningResponse()).isNull();
    stream.chunk(Buffer.buffer(utf8(background.substring(0, completed))));
    assertThat(stream.runningResponse()).as("cut before its last event").isEqualTo(gatewayId("resp_up1"));
    stream.chunk(Buffer.buffer(utf8(background.substring(completed))));
    assertThat(stream.runningResponse()).as("over").isNull();

    StreamTranslation foreground = pair.stream(call(Operation.RESPONSES, deployment, body, false));
    foreground.chunk(Buffer.buffer(utf8(EVENTS.substring(0, EVENTS.indexOf("event: response.completed")))));
    assertThat(foreground.runningResponse()).as("not in the background: it stops with its stream").isNull();
  }

  /** Until a background response's stream named it, a consumer's leaving must not end the read (UpstreamBody). */
  @Test
  void aBackgroundResponseIsAwaitedUntilItsStreamNamesIt() {
    String asked = body.replaceFirst("\\{", "{\"background\":true,");
    StreamTranslation stream = pair.stream(call(Operation.RESPONSES, deployment, asked, false));
    assertThat(stream.awaitingResponseId()).as("nothing came yet").isTrue();
    stream.chunk(Buffer.buffer(utf8(EVENTS.substring(0, 40))));
    assertThat(stream.awaitingResponseId()).as("the first event cut short").isTrue();
    stream.chunk(Buffer.buffer(utf8(EVENTS.substring(40, EVENTS.indexOf("event: response.in_progress")))));
    assertThat(stream.awaitingResponseId()).as("response.created named it").isFalse();

    StreamTranslation foreground = pair.stream(call(Operation.RESPONSES, deployment, body, false));
    assertThat(foreground.awaitingResponseId()).as("a foreground response stops with its stream").isFalse();
  }

  @Test
  void anErrorEventIsRelayedAndItsCodeRead() {
    String events = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_up1","status":"in_progress"}}

        event: error
        data: {"type":"error","sequence_number":1,"code":"rate_limit_exceeded","message":"slow down","param":null}

        """;
    StreamTranslation stream = pair.stream(call(Operation.RESPONSES, deployment, body, false));
    String out = whole(stream, utf8(events), 5);
    assertThat(out).contains("event: error\ndata: {\"type\":\"error\",\"sequence_number\":1");
    assertThat(stream.errorType()).isEqualTo("rate_limit_exceeded");
  }

  @Test
  void anEventTooLargeToRelayEndsTheStreamWithAnErrorEvent() {
    StreamTranslation stream = pair.stream(call(Operation.RESPONSES, deployment, body, false));
    byte[] huge = utf8("data: {\"delta\":\"" + "x".repeat(PushedStream.MAX_EVENT_BYTES + 10) + "\"}\n\n");
    String out = stream.chunk(Buffer.buffer(huge)).toString(StandardCharsets.UTF_8);
    assertThat(stream.done()).isTrue();
    assertThat(out).startsWith("event: error\ndata: ").contains("too large");
    assertThat(stream.errorType()).isEqualTo("server_error");
  }

  @Test
  void idsRoundTripAndHostileIdsAreNotOurs() {
    assertThat(ResponseIds.origin(ResponseIds.of("openai/gpt-4o-é", "resp_abc")))
        .contains(new ResponseIds.Origin("openai/gpt-4o-é", "resp_abc"));
    assertThat(ResponseIds.of("d", "resp_abc")).startsWith("resp_").matches("resp_[A-Za-z0-9_-]+");
    List<String> hostile = new ArrayList<>(List.of("", "resp_", "resp_!!!", "resp_AAAA", "chatcmpl-1", "resp_====",
        "resp_" + "A".repeat(5000),
        "resp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {2, 0, 1, 'd', 'x'}),
        "resp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {1, 0, 9, 'd', 'x'}),
        "resp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {1, 0, 1, (byte) 0xff, 'x'})));
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] bytes = new byte[random.nextInt(40)];
      random.nextBytes(bytes);
      hostile.add("resp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }
    for (String id : hostile) {
      // never an exception; a random id may decode by chance, but then names a deployment no alias has
      ResponseIds.origin(id).ifPresent(origin -> assertThat(origin.upstreamId()).isNotBlank());
    }
    assertThat(ResponseIds.origin(null)).isEmpty();
    assertThat(ResponseIds.origin("resp_!!!")).isEmpty();
  }
}
