package dev.affinity.emulator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageReplyTest {

  @Test
  void messageBodyGivesUsageAndTheTextOfTextBlocks() {
    MessageReply reply = MessageReply.fromMessage(bytes("""
        {"id":"msg_1","type":"message","role":"assistant","content":[
          {"type":"thinking","thinking":"hmm","signature":"x"},
          {"type":"text","text":"Reading "},
          {"type":"tool_use","id":"toolu_1","name":"Read","input":{}},
          {"type":"text","text":"the file."}],
         "usage":{"input_tokens":12,"cache_creation_input_tokens":3400,"cache_read_input_tokens":9000,
                  "output_tokens":57}}
        """));
    assertThat(reply.failed()).isFalse();
    assertThat(reply.text()).isEqualTo("Reading the file.");
    assertThat(reply.usage()).isEqualTo(new Usage(12, 3400, 9000, 57));
  }

  @Test
  void errorBodyGivesItsType() {
    byte[] body = bytes("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    assertThat(MessageReply.fromMessage(body).errorType()).isEqualTo("overloaded_error");
    assertThat(MessageReply.errorType(body)).isEqualTo("overloaded_error");
    assertThat(MessageReply.errorType(bytes("<html>bad gateway</html>"))).isEqualTo("unknown");
    assertThat(MessageReply.fromMessage(bytes("not json")).errorType()).isEqualTo("invalid_json");
  }

  @Test
  void messageDeltaUsageOverwritesInsteadOfAdding() throws IOException {
    MessageReply reply = MessageReply.fromEventStream(events("""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":10,"cache_creation_input_tokens":200,"cache_read_input_tokens":5000,"output_tokens":1}}}

        event: ping
        data: {"type":"ping"}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", world"}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":15}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":10,"cache_creation_input_tokens":null,"cache_read_input_tokens":5000,"output_tokens":42}}

        event: message_stop
        data: {"type":"message_stop"}

        """));
    assertThat(reply.failed()).isFalse();
    assertThat(reply.text()).isEqualTo("Hello, world");
    assertThat(reply.usage()).isEqualTo(new Usage(10, 200, 5000, 42));
  }

  /** The signed thinking is what the next turn hands back: whole from a message, joined from a stream's deltas. */
  @Test
  void theFirstThinkingBlockIsKeptWithItsSignature() throws IOException {
    MessageReply whole = MessageReply.fromMessage(bytes("""
        {"type":"message","content":[{"type":"thinking","thinking":"Let me see.","signature":"c2ln"},
          {"type":"text","text":"Hi"}],"usage":{"input_tokens":1,"output_tokens":2}}"""));
    assertThat(whole.thinking().get("thinking").asText()).isEqualTo("Let me see.");
    assertThat(whole.thinking().get("signature").asText()).isEqualTo("c2ln");
    assertThat(MessageReply.fromMessage(bytes("""
        {"type":"message","content":[{"type":"text","text":"Hi"}],"usage":{}}""")).thinking()).isNull();

    MessageReply streamed = MessageReply.fromEventStream(events("""
        data: {"type":"message_start","message":{"usage":{"input_tokens":1,"output_tokens":1}}}

        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me"}}

        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" see."}}

        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}}

        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}

        data: {"type":"message_stop"}

        """));
    assertThat(streamed.thinking()).isEqualTo(whole.thinking());
    assertThat(streamed.text()).isEqualTo("Hi");
  }

  @Test
  void dataSplitOverSeveralLinesIsOneEvent() throws IOException {
    MessageReply reply = MessageReply.fromEventStream(events("""
        data: {"type":"message_start",
        data:  "message":{"usage":{"input_tokens":7,"output_tokens":1}}}

        data:{"type":"message_stop"}

        """));
    assertThat(reply.failed()).isFalse();
    assertThat(reply.usage()).isEqualTo(new Usage(7, 0, 0, 1));
  }

  @Test
  void errorEventFailsTheReply() throws IOException {
    MessageReply reply = MessageReply.fromEventStream(events("""
        event: message_start
        data: {"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1}}}

        event: error
        data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

        """));
    assertThat(reply.errorType()).isEqualTo("overloaded_error");
  }

  @Test
  void streamCutBeforeMessageStopFailsTheReply() throws IOException {
    MessageReply reply = MessageReply.fromEventStream(events("""
        event: message_start
        data: {"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"""));
    assertThat(reply.errorType()).isEqualTo("incomplete_stream");
  }

  private static BufferedReader events(String text) {
    return new BufferedReader(new StringReader(text));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
