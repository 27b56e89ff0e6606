package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static dev.affinity.provider.translate.PairFixture.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Anthropic client, OpenAI-compatible upstream (Claude Code on a vLLM or OpenAI alias): Messages in, Chat Completions
 * upstream, a message and Anthropic's events back.
 */
class AnthropicToOpenAiTest {

  /** What Claude Code sends, in small: system blocks with markers, a tool, a tool round trip, thinking. */
  static final String MESSAGES = """
      {"model":"sonnet","max_tokens":512,"stream":true,"temperature":1,"top_k":5,
       "metadata":{"user_id":"user_abc"},"thinking":{"type":"enabled","budget_tokens":1024},
       "context_management":{"edits":[]},
       "system":[{"type":"text","text":"You are Claude Code."},
                 {"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
       "tools":[{"name":"Read","description":"Reads a file","input_schema":{"type":"object",
                 "properties":{"path":{"type":"string"}},"required":["path"]},"cache_control":{"type":"ephemeral"}}],
       "tool_choice":{"type":"auto","disable_parallel_tool_use":true},
       "stop_sequences":["END"],
       "messages":[
         {"role":"user","content":"Read a.txt"},
         {"role":"system","content":"The user opened a.txt in the IDE."},
         {"role":"assistant","content":[{"type":"thinking","thinking":"I should read it.","signature":"sig"},
           {"type":"text","text":"Reading."},
           {"type":"tool_use","id":"toolu_1","name":"Read","input":{"path":"a.txt"}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"hello"}]},
           {"type":"text","text":"What does it say?","cache_control":{"type":"ephemeral"}}]}]}""";

  static final String COMPLETION = """
      {"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"gpt-4o",
       "choices":[{"index":0,"message":{"role":"assistant","content":"It says hello.",
         "tool_calls":[{"id":"call_2","type":"function","function":{"name":"Read","arguments":"{\\"path\\":\\"b.txt\\"}"}}]},
         "finish_reason":"tool_calls"}],
       "usage":{"prompt_tokens":2100,"completion_tokens":12,"total_tokens":2112,
         "prompt_tokens_details":{"cached_tokens":2048}}}""";

  static final String CHUNKS = """
      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}

      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"It says "},"finish_reason":null}],"usage":null}

      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hello ☀."},"finish_reason":null}],"usage":null}

      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_2","type":"function","function":{"name":"Read","arguments":""}}]},"finish_reason":null}],"usage":null}

      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"path\\":"}}]},"finish_reason":null}],"usage":null}

      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"b.txt\\"}"}}]},"finish_reason":null}],"usage":null}

      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_3","type":"function","function":{"name":"Read","arguments":"{}"}}]},"finish_reason":null}],"usage":null}

      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}

      data: {"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":2100,"completion_tokens":12,"total_tokens":2112,"prompt_tokens_details":{"cached_tokens":2048}}}

      data: [DONE]

      """;

  private final Translator pair = Translators.of(ClientApi.ANTHROPIC, ProviderKind.OPENAI, "sonnet");
  private final Deployment deployment = PairFixture.deployment("""
      model: hosted_vllm/qwen
      api_base: http://127.0.0.1:1/v1""");

  private ProviderCall call() {
    return PairFixture.call(Operation.MESSAGES, deployment, pair.canonical(json(MESSAGES)).toString(), false);
  }

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(AnthropicToOpenAi.class);
  }

  @Test
  void theCanonicalFormIsAChatRequestThatGoesUpstreamAsItIs() {
    assertThat(pair.canonical(json(MESSAGES))).isEqualTo(json("""
        {"model":"sonnet","messages":[
          {"role":"system","content":"You are Claude Code.\\n\\nBe brief."},
          {"role":"user","content":"Read a.txt"},
          {"role":"system","content":"The user opened a.txt in the IDE."},
          {"role":"assistant","content":"Reading.","tool_calls":[{"id":"toolu_1","type":"function",
            "function":{"name":"Read","arguments":"{\\"path\\":\\"a.txt\\"}"}}]},
          {"role":"tool","tool_call_id":"toolu_1","content":"hello"},
          {"role":"user","content":"What does it say?"}],
         "max_tokens":512,
         "tools":[{"type":"function","function":{"name":"Read","description":"Reads a file",
           "parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}}],
         "tool_choice":"auto","parallel_tool_calls":false,"stop":["END"],"temperature":1,"user":"user_abc",
         "stream":true,"stream_options":{"include_usage":true}}"""));
    ProviderCall call = call();
    assertThat(pair.requestBody(call)).isSameAs(call.body());
  }

  @Test
  void aTurnResentAsAStringIsTheSameChatMessage() {
    JsonNode asList = pair.canonical(json("""
        {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"Hi",
          "cache_control":{"type":"ephemeral"}}]}]}"""));
    JsonNode asString = pair.canonical(json("""
        {"model":"m","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}"""));
    assertThat(asList).isEqualTo(asString);
  }

  @Test
  void imagesAndDocumentsBecomeChatParts() {
    JsonNode chat = pair.canonical(json("""
        {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}},
          {"type":"image","source":{"type":"url","url":"https://x/y.png"}},
          {"type":"document","title":"spec.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBE"}},
          {"type":"text","text":"Compare."}]}]}"""));
    assertThat(chat.at("/messages/0/content")).isEqualTo(json("""
        [{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO"}},
         {"type":"image_url","image_url":{"url":"https://x/y.png"}},
         {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE","filename":"spec.pdf"}},
         {"type":"text","text":"Compare."}]"""));
  }

  @Test
  void whatHasNoChatFormIsTheClientsMistakeNamingWhere() {
    assertRefused("""
        {"model":"m","max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search"}],
         "messages":[{"role":"user","content":"x"}]}""", "tools.0.type");
    assertRefused("""
        {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"search_result","source":"s"}]}]}""",
        "messages.0.content.0.type");
    assertRefused("""
        {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t",
          "content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"x"}}]}]}]}""",
        "messages.0.content.0.content.0.type");
    assertRefused("""
        {"model":"m","max_tokens":5,"system":[{"type":"image"}],"messages":[{"role":"user","content":"x"}]}""",
        "system.0");
  }

  /**
   * Every field of a Claude Code request, and every block of it, replaced by each of a set of hostile values: the
   * translation either succeeds or refuses with a {@link TranslationException} (a 400 naming the field), never fails
   * otherwise (which the router would answer with a 500).
   */
  @Test
  void hostileValuesAnywhereAreTranslatedOrRefusedNeverFailed() {
    List<String> hostile = List.of("null", "1", "-1.5", "true", "\"x\"", "[]", "{}", "[1]", "[null]", "[[]]", "[{}]",
        "{\"type\":\"text\"}", "{\"type\":\"image\",\"source\":5}", "{\"type\":\"tool_use\",\"input\":[]}",
        "{\"type\":\"tool_result\",\"content\":7}", "{\"role\":5,\"content\":{}}");
    JsonNode valid = json(MESSAGES);
    List<String> paths = new java.util.ArrayList<>();
    collectPaths(valid, "", paths);
    int cases = 0;
    for (String path : paths) {
      for (String value : hostile) {
        JsonNode body = valid.deepCopy();
        replace(body, path, json(value));
        try {
          pair.canonical(body);
        } catch (TranslationException refused) {
          assertThat(refused.getMessage()).isNotBlank();
        } catch (RuntimeException failed) {
          throw new AssertionError(path + " = " + value + " failed with " + failed, failed);
        }
        cases++;
      }
    }
    assertThat(cases).isGreaterThan(1000);
  }

  private static void collectPaths(JsonNode node, String at, List<String> paths) {
    if (!at.isEmpty()) {
      paths.add(at);
    }
    if (node.isObject()) {
      node.fieldNames().forEachRemaining(name -> collectPaths(node.get(name), at + "/" + name, paths));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectPaths(node.get(i), at + "/" + i, paths);
      }
    }
  }

  private static void replace(JsonNode root, String path, JsonNode value) {
    int last = path.lastIndexOf('/');
    JsonNode parent = last == 0 ? root : root.at(path.substring(0, last));
    String key = path.substring(last + 1);
    if (parent instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
      object.set(key, value);
    } else if (parent instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
      array.set(Integer.parseInt(key), value);
    }
  }

  private void assertRefused(String messages, String param) {
    assertThatThrownBy(() -> pair.canonical(json(messages)))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.param()).isEqualTo(param));
  }

  @Test
  void aCompleteAnswerBecomesAMessageWithTheUsageRead() {
    Answer answer = pair.answer(call(), 200, headers(), Buffer.buffer(COMPLETION));
    assertThat(json(answer.body())).isEqualTo(json("""
        {"id":"msg_chatcmpl-9","type":"message","role":"assistant","model":"sonnet",
         "content":[{"type":"text","text":"It says hello."},
                    {"type":"tool_use","id":"call_2","name":"Read","input":{"path":"b.txt"}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":52,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":12}}"""));
    assertThat(answer.usage()).isEqualTo(new TokenUsage(52, 0, 0, 0, 2048, 12));
    assertThat(answer.contentType()).isEqualTo(Answer.JSON);
  }

  @Test
  void theStreamBecomesAnthropicEventsWhateverTheCuts() {
    String atOnce = whole(pair.stream(call()), utf8(CHUNKS), Integer.MAX_VALUE);
    for (int size : new int[] {1, 3, 17, 64}) {
      StreamTranslation stream = pair.stream(call());
      assertThat(whole(stream, utf8(CHUNKS), size)).as("cut every %d bytes", size).isEqualTo(atOnce);
      assertThat(stream.usage()).isEqualTo(new TokenUsage(52, 0, 0, 0, 2048, 12));
      assertThat(stream.errorType()).isNull();
    }
    List<String> names = atOnce.lines().filter(line -> line.startsWith("event: "))
        .map(line -> line.substring(7)).toList();
    assertThat(names).containsExactly("message_start",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop");
    List<JsonNode> events = data(atOnce);
    assertThat(events.get(0).at("/message/id").asText()).isEqualTo("msg_chatcmpl-9");
    assertThat(events.get(0).at("/message/model").asText()).isEqualTo("sonnet");
    assertThat(events.get(2).at("/delta/text").asText() + events.get(3).at("/delta/text").asText())
        .isEqualTo("It says hello ☀.");
    assertThat(events.get(5).path("content_block")).isEqualTo(json("""
        {"type":"tool_use","id":"call_2","name":"Read","input":{}}"""));
    assertThat(events.get(6).at("/delta/partial_json").asText() + events.get(7).at("/delta/partial_json").asText())
        .isEqualTo("{\"path\":\"b.txt\"}");
    assertThat(events.get(9).at("/content_block/id").asText()).isEqualTo("call_3");
    assertThat(events.get(9).path("index").asInt()).isEqualTo(2);
    JsonNode messageDelta = events.get(12);
    assertThat(messageDelta.at("/delta/stop_reason").asText()).isEqualTo("tool_use");
    assertThat(messageDelta.at("/usage/cache_read_input_tokens").asLong()).isEqualTo(2048);
    assertThat(messageDelta.at("/usage/output_tokens").asLong()).isEqualTo(12);
  }

  @Test
  void aStreamCutBeforeItsFinishReasonOrAnErrorChunkEndsInAnErrorEvent() {
    String cut = CHUNKS.substring(0, CHUNKS.indexOf("data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\","
        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\""));
    StreamTranslation stream = pair.stream(call());
    List<JsonNode> events = data(whole(stream, utf8(cut), 7));
    assertThat(events.get(events.size() - 1).at("/error/type").asText()).isEqualTo("api_error");
    assertThat(stream.errorType()).isEqualTo("api_error");

    StreamTranslation failed = pair.stream(call());
    String sse = whole(failed, utf8("data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}\n\n"
        + CHUNKS), 5);
    assertThat(data(sse)).singleElement().satisfies(event ->
        assertThat(event.at("/error/message").asText()).isEqualTo("Rate limit reached"));
    assertThat(failed.done()).isTrue();
  }

  @Test
  void aTurnThatCalledToolsStoppedForThemWhateverTheFinishReason() {
    // OpenAI answers a tool_choice that names the function with finish_reason "stop"
    Answer answer = pair.answer(call(), 200, headers(), Buffer.buffer(COMPLETION.replace("\"tool_calls\"}],",
        "\"stop\"}],")));
    assertThat(json(answer.body()).path("stop_reason").asText()).isEqualTo("tool_use");
    List<JsonNode> events = data(whole(pair.stream(call()), utf8(CHUNKS.replace("\"finish_reason\":\"tool_calls\"",
        "\"finish_reason\":\"stop\"")), 11));
    assertThat(events.get(events.size() - 2).at("/delta/stop_reason").asText()).isEqualTo("tool_use");
    Answer text = pair.answer(call(), 200, headers(), Buffer.buffer("""
        {"id":"c","choices":[{"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}"""));
    assertThat(json(text.body()).path("stop_reason").asText()).isEqualTo("end_turn");
  }

  @Test
  void upstreamErrorsAreInAnthropicsShape() {
    Answer answer = pair.answer(call(), 429, headers(), Buffer.buffer(
        "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"));
    JsonNode error = json(answer.body());
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.at("/error/type").asText()).isEqualTo("rate_limit_error");
    assertThat(error.at("/error/message").asText()).isEqualTo("slow down");
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");

    Answer html = pair.answer(call(), 502, headers(), Buffer.buffer("<html>bad gateway</html>"));
    assertThat(json(html.body()).at("/error/type").asText()).isEqualTo("api_error");
    assertThat(html.statusFor(502)).isEqualTo(502);
    // the statuses an OpenAI-compatible server answers that Anthropic's list names otherwise, one table for every pair
    assertThat(Map.of(503, "overloaded_error", 402, "billing_error", 422, "invalid_request_error",
        409, "invalid_request_error", 408, "timeout_error", 500, "api_error")).allSatisfy((status, type) ->
        assertThat(json(pair.answer(call(), status, headers(), Buffer.buffer("{}")).body()).at("/error/type").asText())
            .as("status %d", status).isEqualTo(type));
  }
}
