package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.affinity.provider.translate.MessagesToChatTest.json;
import static org.assertj.core.api.Assertions.assertThat;

class OpenAiChunkStreamTest {

  /** A Messages stream as the API sends it: text, then a tool call, with ping and usage on both ends. */
  private static final String TOOL_TURN = """
      event: message_start
      data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":20000,"output_tokens":2}}}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

      event: ping
      data: {"type": "ping"}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check — ☀"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":0}

      event: content_block_start
      data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\": \\"San Fra"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ncisco\\"}"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":1}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

      event: message_stop
      data: {"type":"message_stop"}

      """;

  private static final String HEAD = "{\"id\":\"chatcmpl-msg_014p7gG3wDgGV9EUtLvnow3U\",\"object\":\"chat.completion.chunk\","
      + "\"created\":1700000000,\"model\":\"claude-alias\",";

  @Test
  void aToolTurnBecomesOpenAiChunksWithUsageLast() {
    List<String> frames = feedAtOnce(new OpenAiChunkStream("claude-alias", true, false, 1_700_000_000L), TOOL_TURN);

    assertThat(frames).hasSize(8);
    assertThat(frames).allSatisfy(frame -> assertThat(frame).startsWith("data: ").endsWith("\n\n"));
    assertThat(frames.subList(0, 7)).map(OpenAiChunkStreamTest::data).containsExactly(
        json(HEAD + """
            "choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],
            "usage":null}"""),
        json(HEAD + """
            "choices":[{"index":0,"delta":{"content":"Okay, let's check — ☀"},"logprobs":null,"finish_reason":null}],
            "usage":null}"""),
        json(HEAD + """
            "choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6",
              "type":"function","function":{"name":"get_weather","arguments":""}}]},
              "logprobs":null,"finish_reason":null}],"usage":null}"""),
        json(HEAD + """
            "choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"location\\": \\"San Fra"}}]},
              "logprobs":null,"finish_reason":null}],"usage":null}"""),
        json(HEAD + """
            "choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ncisco\\"}"}}]},
              "logprobs":null,"finish_reason":null}],"usage":null}"""),
        json(HEAD + """
            "choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}"""),
        json(HEAD + """
            "choices":[],"usage":{"prompt_tokens":20472,"completion_tokens":89,"total_tokens":20561,
              "prompt_tokens_details":{"cached_tokens":20000},
              "cache_read_input_tokens":20000,"cache_creation_input_tokens":0}}"""));
    assertThat(frames.get(7)).isEqualTo("data: [DONE]\n\n");
  }

  @Test
  void withoutIncludeUsageThereIsNoUsageField() {
    List<String> frames = feedAtOnce(new OpenAiChunkStream("claude-alias", false, false, 1L), TOOL_TURN);
    assertThat(frames).hasSize(7).last().isEqualTo("data: [DONE]\n\n");
    assertThat(frames.subList(0, 6)).map(OpenAiChunkStreamTest::data)
        .allSatisfy(chunk -> {
          assertThat(chunk.has("usage")).isFalse();
          assertThat(chunk.get("choices")).hasSize(1);
        });
  }

  @Test
  void byteByByteAndCrLfGiveTheSameFramesAsAllAtOnce() {
    List<String> atOnce = feedAtOnce(new OpenAiChunkStream("claude-alias", true, false, 7L), TOOL_TURN);
    byte[] crlf = TOOL_TURN.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    for (byte[] bytes : List.of(TOOL_TURN.getBytes(StandardCharsets.UTF_8), crlf)) {
      for (int size : new int[] {1, 2, 3, 17, 256}) {
        OpenAiChunkStream stream = new OpenAiChunkStream("claude-alias", true, false, 7L);
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
          // pieces split the multi-byte characters (— and ☀) too
          frames.addAll(stream.feed(bytes, i, Math.min(size, bytes.length - i)));
        }
        frames.addAll(stream.finish());
        assertThat(frames).as("pieces of %d bytes", size).isEqualTo(atOnce);
      }
    }
  }

  @Test
  void framesComeAsSoonAsTheirEventIsComplete() {
    OpenAiChunkStream stream = new OpenAiChunkStream("m", false, false, 1L);
    String start = TOOL_TURN.substring(0, TOOL_TURN.indexOf("event: content_block_start"));
    assertThat(stream.feed(start.substring(0, start.length() - 1).getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(stream.feed("\n".getBytes(StandardCharsets.UTF_8))).hasSize(1);
  }

  @Test
  void thinkingStreamsAsReasoningContentAndParallelToolsKeepTheirOwnIndexes() {
    String stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_2","usage":{"input_tokens":5,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Two lookups."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" Both at once."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"f","input":{}}}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"g","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":40}}

        event: message_stop
        data: {"type":"message_stop"}

        """;
    List<JsonNode> deltas = deltas(stream);
    assertThat(deltas).containsExactly(
        json("{\"role\":\"assistant\",\"content\":\"\"}"),
        json("{\"reasoning_content\":\"Two lookups.\"}"),
        json("{\"reasoning_content\":\" Both at once.\"}"),
        // the whole block once it is over, as the client hands it back to continue the turn (LiteLLM's field)
        json("{\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"Two lookups. Both at once.\","
            + "\"signature\":\"EqQBCgIYAhIM\"}]}"),
        json("{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_a\",\"type\":\"function\",\"function\":{\"name\":\"f\","
            + "\"arguments\":\"\"}}]}"),
        json("{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_b\",\"type\":\"function\",\"function\":{\"name\":\"g\","
            + "\"arguments\":\"\"}}]}"),
        json("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}"),
        json("{}"));
  }

  @Test
  void aRedactedThinkingBlockIsRelayedAtOnceAndUnsignedThinkingAsReasoningOnly() {
    String stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_3","usage":{"input_tokens":5,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}

        event: message_stop
        data: {"type":"message_stop"}

        """;
    List<JsonNode> deltas = deltas(stream);
    assertThat(deltas).containsExactly(
        json("{\"role\":\"assistant\",\"content\":\"\"}"),
        json("{\"thinking_blocks\":[{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3\"}]}"),
        json("{\"content\":\"Hi\"}"),
        json("{}"));
  }

  @Test
  void inJsonModeTheJsonToolsInputStreamsAsContent() {
    String stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_4","usage":{"input_tokens":5,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_j","name":"json_tool_call","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\\"Paris\\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}

        event: message_stop
        data: {"type":"message_stop"}

        """;
    List<JsonNode> frames = feedAtOnce(new OpenAiChunkStream("m", false, true, 1L), stream).stream()
        .filter(frame -> !frame.contains("[DONE]"))
        .map(OpenAiChunkStreamTest::data)
        .toList();
    assertThat(frames.stream().map(frame -> frame.at("/choices/0/delta")).toList()).containsExactly(
        json("{\"role\":\"assistant\",\"content\":\"\"}"),
        json("{\"content\":\"{\\\"city\\\": \"}"),
        json("{\"content\":\"\\\"Paris\\\"}\"}"),
        json("{}"));
    assertThat(frames.get(frames.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    // the same stream for a client that did not ask for JSON is a tool call
    assertThat(deltas(stream).get(1).at("/tool_calls/0/function/name").asText()).isEqualTo("json_tool_call");
  }

  /** The {@code delta} of every chunk of the translated stream, fed at once, without usage. */
  private static List<JsonNode> deltas(String stream) {
    return feedAtOnce(new OpenAiChunkStream("m", false, false, 1L), stream).stream()
        .filter(frame -> !frame.contains("[DONE]"))
        .map(frame -> data(frame).at("/choices/0/delta"))
        .toList();
  }

  @Test
  void finishReasonsFollowTheStopReason() {
    for (String[] pair : new String[][] {{"end_turn", "stop"}, {"stop_sequence", "stop"}, {"max_tokens", "length"},
        {"refusal", "content_filter"}}) {
      String stream = TOOL_TURN.replace("\"stop_reason\":\"tool_use\"", "\"stop_reason\":\"" + pair[0] + "\"");
      List<String> frames = feedAtOnce(new OpenAiChunkStream("m", false, false, 1L), stream);
      assertThat(data(frames.get(frames.size() - 2)).at("/choices/0/finish_reason").asText()).isEqualTo(pair[1]);
    }
  }

  @Test
  void anUpstreamErrorEventBecomesAnOpenAiErrorFrameAndEndsTheStream() {
    String head = TOOL_TURN.substring(0, TOOL_TURN.indexOf("event: content_block_stop"));
    String error = """
        event: error
        data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

        """;
    OpenAiChunkStream stream = new OpenAiChunkStream("m", true, false, 1L);
    List<String> frames = new ArrayList<>(stream.feed((head + error).getBytes(StandardCharsets.UTF_8)));

    assertThat(frames).hasSize(3);
    assertThat(data(frames.get(2))).isEqualTo(json("""
        {"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded"}}"""));
    assertThat(stream.isEnded()).isTrue();
    assertThat(stream.feed(TOOL_TURN.getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(stream.finish()).isEmpty();
  }

  @Test
  void aStreamCutBeforeTheStopReasonEndsInAnErrorNotInDone() {
    String cut = TOOL_TURN.substring(0, TOOL_TURN.indexOf("event: message_delta"));
    OpenAiChunkStream stream = new OpenAiChunkStream("m", true, false, 1L);
    stream.feed(cut.getBytes(StandardCharsets.UTF_8));
    List<String> end = stream.finish();
    assertThat(end).hasSize(1);
    assertThat(data(end.get(0)).at("/error/type").asText()).isEqualTo("server_error");
  }

  @Test
  void aStreamCutAfterTheStopReasonStillCompletes() {
    String cut = TOOL_TURN.substring(0, TOOL_TURN.indexOf("event: message_stop"));
    OpenAiChunkStream stream = new OpenAiChunkStream("m", true, false, 1L);
    stream.feed(cut.getBytes(StandardCharsets.UTF_8));
    List<String> end = stream.finish();
    assertThat(end).hasSize(2);
    assertThat(data(end.get(0)).at("/usage/completion_tokens").asLong()).isEqualTo(89);
    assertThat(end.get(1)).isEqualTo("data: [DONE]\n\n");
  }

  @Test
  void malformedOrOversizedEventsEndTheStreamWithAnError() {
    OpenAiChunkStream malformed = new OpenAiChunkStream("m", false, false, 1L);
    List<String> frames = malformed.feed("event: message_start\ndata: {not json\n\n".getBytes(StandardCharsets.UTF_8));
    assertThat(frames).hasSize(1);
    assertThat(data(frames.get(0)).at("/error/type").asText()).isEqualTo("server_error");

    OpenAiChunkStream oversized = new OpenAiChunkStream("m", false, false, 1L);
    byte[] huge = new byte[OpenAiChunkStream.MAX_EVENT_BYTES + 1];
    java.util.Arrays.fill(huge, (byte) 'x');
    oversized.feed("data: ".getBytes(StandardCharsets.UTF_8));
    assertThat(oversized.feed(huge)).hasSize(1);
    assertThat(oversized.isEnded()).isTrue();
  }

  private static List<String> feedAtOnce(OpenAiChunkStream stream, String anthropicSse) {
    List<String> frames = new ArrayList<>(stream.feed(anthropicSse.getBytes(StandardCharsets.UTF_8)));
    frames.addAll(stream.finish());
    return frames;
  }

  private static JsonNode data(String frame) {
    assertThat(frame).startsWith("data: ").endsWith("\n\n");
    return json(frame.substring("data: ".length(), frame.length() - 2));
  }
}
