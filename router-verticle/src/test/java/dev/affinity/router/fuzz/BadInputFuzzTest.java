package dev.affinity.router.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.affinity.router.TestGateway.await;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, "bad input": a thousand generated hostile requests against one node in front of the emulator, on the
 * Messages, Chat Completions, Bedrock InvokeModel and Vertex rawPredict endpoints. Whatever a client sends, the node answers 4xx (or 2xx when the generator happened to produce a valid request), never 5xx;
 * an error body has the shape of the API called and carries no secret; and the node keeps serving good requests.
 * The seed is fixed, so CI replays the same thousand cases every run.
 */
class BadInputFuzzTest {

  private static final String MASTER_KEY = "sk-gateway-master-fuzz-7c1d9e";
  private static final String UPSTREAM_KEY = "sk-emu-key-fuzz-42b8";
  private static final String ALIAS = "claude-sonnet-4-5";
  /** The Responses API is served for OpenAI-API deployments: an alias of the emulator's OpenAI face. */
  private static final String OPENAI_ALIAS = "gpt-fuzz";
  private static final int BODY_LIMIT = 64 * 1024;
  /** HttpVerticle's cap on the request head. */
  private static final int HEADER_LIMIT = 64 * 1024;
  private static final int TRIES = 1000;
  private static final int GOOD_REQUEST_EVERY = 25;
  /** The status recorded when the node closed a raw connection without writing a response. */
  private static final int CLOSED_WITHOUT_ANSWER = -1;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The body fields of the cloud APIs: Messages' without {@code model} (it is in the path) and {@code stream}. */
  private static final List<String> CLOUD_FIELDS = List.of("anthropic_version", "anthropic_beta", "messages",
      "max_tokens", "system", "tools", "tool_choice", "metadata", "temperature", "top_p", "top_k", "stop_sequences",
      "thinking", "messages[0]", "messages[0].role", "messages[0].content");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;
  private static final AtomicInteger casesRun = new AtomicInteger();

  @BeforeContainer
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", UPSTREAM_KEY)
        .setLatency(LatencyModel.ZERO)));
    gateway = TestGateway.start("""
        model_list:
          - model_name: %1$s
            litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: %2$s, api_base: %3$s}
            model_info: {id: acct-1}
          - model_name: %5$s
            litellm_params: {model: openai/gpt-4o, api_key: %2$s, api_base: "%3$s/v1"}
            model_info: {id: acct-1-openai}
        general_settings:
          master_key: %4$s
          max_request_size_mb: 0.0625
        """.formatted(ALIAS, UPSTREAM_KEY, emulator.baseUrl(), MASTER_KEY, OPENAI_ALIAS));
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      if (gateway != null) {
        // the node must still serve after the last hostile request, on every surface
        goodRequestsSucceed();
        assertThat(logs.all()).doesNotContain(MASTER_KEY, UPSTREAM_KEY);
      }
    } finally {
      if (gateway != null) {
        gateway.close();
      }
      if (emulator != null) {
        await(emulator.close());
      }
      if (vertx != null) {
        await(vertx.close());
      }
      if (logs != null) {
        logs.close();
      }
    }
  }

  @Property(tries = TRIES, seed = "6061942", shrinking = ShrinkingMode.OFF)
  void badInputIsAnsweredWithAClientErrorAndTheNodeKeepsServing(@ForAll("badRequests") BadRequest request)
      throws Exception {
    Answer answer = request.send();
    request.expected().check(request, answer);
    if (answer.status() >= 400 && answer.body().length > 0) {
      request.endpoint().assertErrorShape(request, answer);
    }
    assertThat(new String(answer.body(), UTF_8)).as("%s leaked a secret", request)
        .doesNotContain(MASTER_KEY, UPSTREAM_KEY);
    if (casesRun.incrementAndGet() % GOOD_REQUEST_EVERY == 0) {
      goodRequestsSucceed();
    }
  }

  private static void goodRequestsSucceed() throws Exception {
    for (Endpoint endpoint : Endpoint.values()) {
      Answer answer = post(endpoint, endpoint.validBody().getBytes(UTF_8), endpoint.headers("application/json"));
      assertThat(answer.status()).as("good request to %s after %d bad ones: %s", endpoint.path, casesRun.get(),
          answer.text()).isEqualTo(200);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The generators: every kind of bad input the issue names, for every endpoint.

  @Provide
  Arbitrary<BadRequest> badRequests() {
    Arbitrary<Endpoint> endpoints = Arbitraries.of(Endpoint.class);
    return Arbitraries.frequencyOf(
        tuple(12, endpoints.flatMap(BadInputFuzzTest::truncated)),
        tuple(16, endpoints.flatMap(BadInputFuzzTest::mutated)),
        tuple(20, endpoints.flatMap(BadInputFuzzTest::wrongType)),
        tuple(6, endpoints.flatMap(BadInputFuzzTest::badMessages)),
        tuple(4, endpoints.flatMap(BadInputFuzzTest::unknownAlias)),
        tuple(5, endpoints.flatMap(BadInputFuzzTest::deeplyNested)),
        tuple(4, endpoints.flatMap(BadInputFuzzTest::beyondBodyLimit)),
        tuple(6, endpoints.flatMap(BadInputFuzzTest::invalidUtf8)),
        tuple(5, endpoints.flatMap(BadInputFuzzTest::wrongContentType)),
        tuple(4, endpoints.flatMap(BadInputFuzzTest::badCredentials)),
        tuple(10, endpoints.flatMap(BadInputFuzzTest::headerFlood)),
        tuple(8, endpoints.flatMap(BadInputFuzzTest::badFraming)));
  }

  private static Tuple2<Integer, Arbitrary<? extends BadRequest>> tuple(int weight,
      Arbitrary<? extends BadRequest> arbitrary) {
    return Tuple.of(weight, arbitrary);
  }

  /** A valid body cut short: a strict prefix of a JSON object is never JSON. */
  private static Arbitrary<BadRequest> truncated(Endpoint endpoint) {
    byte[] valid = endpoint.validBody().getBytes(UTF_8);
    return Arbitraries.integers().between(0, valid.length - 1).map(cut -> BadRequest.http("truncated at " + cut,
        endpoint, Arrays.copyOf(valid, cut), Expect.REJECTED));
  }

  /** Random byte-level edits of a valid body; an edit may leave it valid, so any 2xx or 4xx goes. */
  private static Arbitrary<BadRequest> mutated(Endpoint endpoint) {
    byte[] valid = endpoint.validBody().getBytes(UTF_8);
    Arbitrary<Character> junk = Arbitraries.of('{', '}', '[', ']', '"', ':', ',', '\\', '0', '-', 'e', 'n', 't',
        ' ', '\u0000', '\u001f', 'x');
    Arbitrary<Integer> positions = Arbitraries.integers().between(0, valid.length - 1);
    Arbitrary<int[]> edits = Combinators.combine(positions, Arbitraries.integers().between(0, 2), junk)
        .as((position, operation, character) -> new int[] {position, operation, character});
    return edits.list().ofMinSize(1).ofMaxSize(8).map(list -> {
      List<Byte> edited = new ArrayList<>();
      for (byte b : valid) {
        edited.add(b);
      }
      for (int[] edit : list) {
        int at = Math.min(edit[0], Math.max(0, edited.size() - 1));
        switch (edit[1]) {
          case 0 -> edited.add(at, (byte) edit[2]);
          case 1 -> edited.set(at, (byte) edit[2]);
          default -> {
            if (!edited.isEmpty()) {
              edited.remove(at);
            }
          }
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      edited.forEach(body::write);
      return BadRequest.http(list.size() + " random edits", endpoint, body.toByteArray(), Expect.TOLERATED);
    });
  }

  /** One top-level (or first-message) field replaced by a value of another JSON type. */
  private static Arbitrary<BadRequest> wrongType(Endpoint endpoint) {
    Arbitrary<String> values = Arbitraries.of("42", "-1", "0", "3.75", "1e300", "99999999999999999999999", "\"\"",
        "\"text\"", "true", "false", "null", "[]", "[1,\"a\",null,{}]", "{}", "{\"a\":{\"b\":[[]]}}",
        "\"" + "w".repeat(300) + "\"");
    return Combinators.combine(Arbitraries.of(endpoint.fields), values).as((field, value) -> {
      ObjectNode body = endpoint.validJson();
      JsonNode replacement = parse(value);
      String list = endpoint.listField();
      if (field.startsWith(list + "[0].")) {
        ((ObjectNode) body.withArray(list).get(0)).set(field.substring((list + "[0].").length()), replacement);
      } else if (field.equals(list + "[0]")) {
        body.withArray(list).set(0, replacement);
      } else {
        body.set(field, replacement);
      }
      return BadRequest.http(field + " = " + abbreviate(value), endpoint, bytes(body),
          endpoint.gatewayRejects(field, replacement) ? Expect.REJECTED : Expect.TOLERATED);
    });
  }

  private static Arbitrary<BadRequest> badMessages(Endpoint endpoint) {
    return Arbitraries.of("absent", "[]", "null", "[1]", "[\"hi\"]", "[null]", "[[]]", "{}").map(messages -> {
      ObjectNode body = endpoint.validJson();
      if (messages.equals("absent")) {
        body.remove(endpoint.listField());
      } else {
        body.set(endpoint.listField(), parse(messages));
      }
      return BadRequest.http(endpoint.listField() + " " + messages, endpoint, bytes(body), Expect.REJECTED);
    });
  }

  private static Arbitrary<BadRequest> unknownAlias(Endpoint endpoint) {
    Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '.', '/', '*', ' ', 'é')
        .ofMinLength(1).ofMaxLength(60).filter(name -> !name.equals(ALIAS) && !name.equals(OPENAI_ALIAS)
            && !name.isBlank());
    return names.filter(name -> !name.chars().allMatch(c -> c == '.')).map(name -> {
      if (endpoint.cloud()) {
        // the cloud APIs name the model in the path
        String path = endpoint.path.replace(ALIAS, URLEncoder.encode(name, UTF_8));
        return BadRequest.raw("model " + name, endpoint, RawRequest.build("POST", path,
            endpoint.headerLines("application/json"), endpoint.validBody().getBytes(UTF_8), true), Expect.REJECTED);
      }
      ObjectNode body = endpoint.validJson();
      body.put("model", name);
      return BadRequest.http("model " + name, endpoint, bytes(body), Expect.REJECTED);
    });
  }

  /** Nesting far past the parser's depth bound, as the whole body or as the value of a field. */
  private static Arbitrary<BadRequest> deeplyNested(Endpoint endpoint) {
    return Combinators.combine(Arbitraries.integers().between(300, 12_000), Arbitraries.of(true, false),
        Arbitraries.of('[', '{')).as((depth, whole, bracket) -> {
          String open = bracket == '[' ? "[" : "{\"a\":";
          String close = bracket == '[' ? "]" : "}";
          String nested = open.repeat(depth) + "1" + close.repeat(depth);
          String body = whole ? nested : endpoint.validBody().replaceFirst("\\{", "{\"metadata\":" + nested + ",");
          return BadRequest.http("nesting " + depth + (whole ? " as the body" : " in a field"), endpoint,
              body.getBytes(UTF_8), body.length() > BODY_LIMIT ? Expect.TOO_LARGE : Expect.REJECTED);
        });
  }

  private static Arbitrary<BadRequest> beyondBodyLimit(Endpoint endpoint) {
    return Arbitraries.integers().between(BODY_LIMIT + 1, 4 * BODY_LIMIT).map(size -> {
      ObjectNode body = endpoint.validJson();
      ((ObjectNode) body.withArray(endpoint.listField()).get(body.withArray(endpoint.listField()).size() - 1))
          .put("content", "z".repeat(size));
      return BadRequest.http("a " + size + "-character message", endpoint, bytes(body), Expect.TOO_LARGE);
    });
  }

  /**
   * Invalid UTF-8 inside a message string, sent over a raw socket. Bytes no decoder accepts must be refused; a
   * sequence some decoders let through (overlong forms, encoded surrogates) only has to be answered sanely.
   */
  private static Arbitrary<BadRequest> invalidUtf8(Endpoint endpoint) {
    record Sequence(String name, byte[] bytes, Expect expected) {
    }
    Arbitrary<Sequence> sequences = Arbitraries.of(
        new Sequence("0xff", new byte[] {(byte) 0xff}, Expect.REJECTED),
        new Sequence("lone continuation", new byte[] {(byte) 0x80}, Expect.REJECTED),
        new Sequence("bad continuation", new byte[] {(byte) 0xc3, 0x28}, Expect.REJECTED),
        new Sequence("cut 3-byte", new byte[] {(byte) 0xe2, (byte) 0x82}, Expect.REJECTED),
        new Sequence("0xfe 0xfe", new byte[] {(byte) 0xfe, (byte) 0xfe}, Expect.REJECTED),
        new Sequence("overlong slash", new byte[] {(byte) 0xc0, (byte) 0xaf}, Expect.TOLERATED),
        new Sequence("encoded surrogate", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, Expect.TOLERATED),
        new Sequence("beyond U+10FFFF", new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            Expect.TOLERATED));
    String valid = endpoint.validBody();
    String marker = "Say hello.";
    int start = valid.indexOf(marker);
    return Combinators.combine(sequences, Arbitraries.integers().between(0, marker.length())).as((sequence, at) -> {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.writeBytes(valid.substring(0, start + at).getBytes(UTF_8));
      body.writeBytes(sequence.bytes());
      body.writeBytes(valid.substring(start + at).getBytes(UTF_8));
      return BadRequest.raw("invalid UTF-8 (" + sequence.name() + ")", endpoint,
          RawRequest.post(endpoint, endpoint.headers("application/json"), body.toByteArray()), sequence.expected());
    });
  }

  private static Arbitrary<BadRequest> wrongContentType(Endpoint endpoint) {
    return Arbitraries.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
        "application/xml", "image/png", "text/html; charset=utf-8").map(type -> BadRequest.http(
        "content-type " + type, endpoint, endpoint.validBody().getBytes(UTF_8), endpoint.headers(type),
        Expect.REJECTED));
  }

  /** Wrong keys, including ones that begin with the real one: the answer must not echo what was presented. */
  private static Arbitrary<BadRequest> badCredentials(Endpoint endpoint) {
    return Arbitraries.of("", MASTER_KEY + "x", MASTER_KEY.substring(1), UPSTREAM_KEY, "Bearer", "\t").map(key -> {
      List<String> headers = new ArrayList<>(List.of("content-type", "application/json"));
      if (!key.isBlank()) {
        headers.addAll(endpoint == Endpoint.MESSAGES ? List.of("x-api-key", key)
            : List.of("authorization", "Bearer " + key));
      }
      return BadRequest.http("credential " + (key.isBlank() ? "missing" : "wrong"), endpoint,
          endpoint.validBody().getBytes(UTF_8), headers.toArray(String[]::new), Expect.REJECTED);
    });
  }

  /**
   * Many headers or very long ones, over a raw socket. Beyond the node's cap on the request head the answer is 431
   * (or 400); below it the request is valid, and {@code anthropic-*} ones are even forwarded upstream.
   */
  private static Arbitrary<BadRequest> headerFlood(Endpoint endpoint) {
    Arbitrary<String> prefixes = Arbitraries.of("x-fuzz-", "anthropic-fuzz-", "x-api-key-");
    Arbitrary<List<String>> many = Combinators.combine(prefixes, Arbitraries.integers().between(20, 4000),
        Arbitraries.integers().between(1, 60)).as((prefix, count, width) -> {
          List<String> lines = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            lines.add(prefix + i + ": " + "v".repeat(1 + (i * 7) % width));
          }
          return lines;
        });
    Arbitrary<List<String>> oneLong = Combinators.combine(prefixes,
        Arbitraries.integers().between(100, 3 * HEADER_LIMIT))
        .as((prefix, length) -> List.of(prefix + "long: " + "L".repeat(length)));
    return Arbitraries.oneOf(many, oneLong).map(flood -> {
      List<String> headers = new ArrayList<>(flood);
      int size = flood.stream().mapToInt(line -> line.length() + 2).sum();
      Expect expected = size > HEADER_LIMIT + 1024 ? Expect.HEAD_TOO_LARGE : Expect.TOLERATED;
      List<String> lines = new ArrayList<>(endpoint.headerLines("application/json"));
      lines.addAll(headers);
      return BadRequest.raw(flood.size() + " flood header(s), " + size + " bytes", endpoint,
          RawRequest.build("POST", endpoint.path, lines, endpoint.validBody().getBytes(UTF_8), true), expected);
    });
  }

  /** Broken HTTP/1.1 message framing, which only a raw socket can produce. */
  private static Arbitrary<BadRequest> badFraming(Endpoint endpoint) {
    byte[] valid = endpoint.validBody().getBytes(UTF_8);
    List<String> base = endpoint.headerLines("application/json");
    Arbitrary<BadRequest> hugeDeclaredLength = Arbitraries.longs().between(BODY_LIMIT + 1, 1L << 40).map(declared ->
        BadRequest.raw("content-length " + declared + " declared", endpoint,
            RawRequest.build("POST", endpoint.path, with(base, "content-length: " + declared), valid, false),
            Expect.TOO_LARGE));
    Arbitrary<BadRequest> shortDeclaredLength = Arbitraries.integers().between(1, valid.length - 1).map(declared ->
        BadRequest.raw("content-length " + declared + " of " + valid.length, endpoint,
            RawRequest.build("POST", endpoint.path, with(base, "content-length: " + declared), valid, false),
            Expect.REJECTED));
    Arbitrary<BadRequest> unreadableLength = Arbitraries.of("abc", "-5", "1 2", "0x10", "99999999999999999999999")
        .map(declared -> BadRequest.raw("content-length " + declared, endpoint,
            RawRequest.build("POST", endpoint.path, with(base, "content-length: " + declared), valid, false),
            Expect.REJECTED));
    Arbitrary<BadRequest> badChunks = Arbitraries.of("zz", "-1", "ffffffffffffffffff", "1;" + "e".repeat(9000))
        .map(size -> BadRequest.raw("chunk size " + abbreviate(size), endpoint, RawRequest.build("POST",
            endpoint.path, with(base, "transfer-encoding: chunked"),
            (size + "\r\n{}\r\n0\r\n\r\n").getBytes(ISO_8859_1), false), Expect.BROKEN_FRAMING));
    Arbitrary<BadRequest> chunked = Arbitraries.integers().between(1, 40).map(chunkSize ->
        BadRequest.raw("valid body in " + chunkSize + "-byte chunks, content-length too", endpoint,
            RawRequest.build("POST", endpoint.path, with(with(base, "transfer-encoding: chunked"),
                "content-length: " + valid.length), chunks(valid, chunkSize), false), Expect.TOLERATED));
    return Arbitraries.oneOf(hugeDeclaredLength, shortDeclaredLength, unreadableLength, badChunks, chunked);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The surfaces under test: Anthropic's and OpenAI's APIs, and the cloud APIs Claude Code calls.

  enum Endpoint {
    MESSAGES("/v1/messages", """
        {"model":"%s","max_tokens":32,"system":"Be brief.","temperature":0.5,"metadata":{"user_id":"u-1"},\
        "stream":false,"messages":[{"role":"user","content":[{"type":"text","text":"Say hello."}]}]}""",
        List.of("model", "messages", "max_tokens", "stream", "system", "tools", "tool_choice", "metadata",
            "temperature", "top_p", "top_k", "stop_sequences", "thinking", "messages[0]", "messages[0].role",
            "messages[0].content")),
    CHAT("/v1/chat/completions", """
        {"model":"%s","max_tokens":32,"temperature":0.5,"stream":false,"user":"u-1",\
        "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello."}]}""",
        List.of("model", "messages", "max_tokens", "max_completion_tokens", "stream", "temperature", "top_p",
            "tools", "tool_choice", "stop", "n", "user", "response_format", "reasoning_effort", "thinking",
            "stream_options", "seed", "messages[0]", "messages[0].role", "messages[0].content")),
    /** Bedrock's InvokeModel, as Claude Code's Bedrock mode calls it: the model in the path, none in the body. */
    BEDROCK("/model/" + ALIAS + "/invoke", """
        {"anthropic_version":"bedrock-2023-05-31","max_tokens":32,"system":"Be brief.","temperature":0.5,\
        "messages":[{"role":"user","content":[{"type":"text","text":"Say hello."}]}]}""", CLOUD_FIELDS),
    /** Vertex AI's rawPredict, as Claude Code's Vertex mode calls it. */
    VERTEX("/v1/projects/p/locations/us-east5/publishers/anthropic/models/" + ALIAS + ":rawPredict", """
        {"anthropic_version":"vertex-2023-10-16","max_tokens":32,"system":"Be brief.","temperature":0.5,\
        "messages":[{"role":"user","content":[{"type":"text","text":"Say hello."}]}]}""", CLOUD_FIELDS),
    /** OpenAI's Responses API, on the alias of OpenAI deployments: the conversation is {@code input}. */
    RESPONSES("/v1/responses", """
        {"model":"%s","instructions":"Be brief.","temperature":0.5,"stream":false,"max_output_tokens":32,        "input":[{"role":"user","content":"Say hello."}]}""",
        List.of("model", "input", "instructions", "stream", "store", "max_output_tokens", "tools", "tool_choice",
            "temperature", "previous_response_id", "prompt_cache_key", "input[0]", "input[0].role",
            "input[0].content"), OPENAI_ALIAS);

    private final String path;
    private final String validBody;
    private final List<String> fields;
    private final String alias;

    Endpoint(String path, String validBody, List<String> fields) {
      this(path, validBody, fields, ALIAS);
    }

    Endpoint(String path, String validBody, List<String> fields, String alias) {
      this.path = path;
      this.validBody = validBody.formatted(alias);
      this.fields = fields;
      this.alias = alias;
    }

    /** The body's list of turns. */
    String listField() {
      return this == RESPONSES ? "input" : "messages";
    }

    String validBody() {
      return validBody;
    }

    boolean cloud() {
      return this == BEDROCK || this == VERTEX;
    }

    ObjectNode validJson() {
      return (ObjectNode) parse(validBody);
    }

    String[] headers(String contentType) {
      return this == MESSAGES
          ? new String[] {"x-api-key", MASTER_KEY, "anthropic-version", "2023-06-01", "content-type", contentType}
          : new String[] {"authorization", "Bearer " + MASTER_KEY, "content-type", contentType};
    }

    List<String> headerLines(String contentType) {
      String[] pairs = headers(contentType);
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < pairs.length; i += 2) {
        lines.add(pairs[i] + ": " + pairs[i + 1]);
      }
      return lines;
    }

    /** Whether the gateway's own checks (not the upstream's) refuse this value for this field. */
    boolean gatewayRejects(String field, JsonNode value) {
      if (this == RESPONSES) {
        return responsesRejects(field, value);
      }
      return switch (field) {
        case "model" -> !value.isTextual() || value.asText().isBlank() || !value.asText().equals(alias);
        case "messages" -> !value.isArray() || value.isEmpty()
            || !value.get(0).isObject();
        case "messages[0]" -> !value.isObject();
        case "stream" -> !value.isNull() && !value.isBoolean();
        case "max_tokens", "max_completion_tokens" -> (this != CHAT && value.isNull())
            || (!value.isNull() && (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1));
        case "messages[0].role" -> this == CHAT && !value.isTextual();
        default -> false;
      };
    }

    /** The Responses API's checks ({@code ResponsesRequestCheck}, and ids the gateway did not give). */
    private boolean responsesRejects(String field, JsonNode value) {
      return switch (field) {
        case "model" -> !value.isTextual() || value.asText().isBlank() || !value.asText().equals(alias);
        case "input" -> value.isNull() || !value.isTextual() && !value.isArray()
            || value.isArray() && !value.isEmpty() && !value.get(0).isObject();
        case "input[0]" -> !value.isObject();
        case "input[0].role" -> !value.isTextual();
        case "input[0].content" -> !value.isTextual() && !value.isArray();
        case "stream", "store" -> !value.isNull() && !value.isBoolean();
        case "instructions", "prompt_cache_key" -> !value.isNull() && !value.isTextual();
        // no value here is an id the gateway gave
        case "previous_response_id" -> !value.isNull();
        case "tools" -> !value.isNull() && (!value.isArray() || !value.isEmpty() && !value.get(0).isObject());
        case "max_output_tokens" -> !value.isNull()
            && (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1);
        default -> false;
      };
    }

    void assertErrorShape(BadRequest request, Answer answer) {
      JsonNode error;
      try {
        error = JSON.readTree(answer.body());
      } catch (IOException malformed) {
        throw new AssertionError(request + " answered " + answer.status() + " with a body that is not JSON: "
            + abbreviate(answer.text()));
      }
      String shape = request + " answered " + answer.status() + " " + abbreviate(answer.text());
      assertThat(answer.contentType()).as(shape).contains("json");
      if (this == BEDROCK) {
        // Bedrock's: the kind in the x-amzn-errortype header, the body only a message
        assertThat(error.path("message").asText()).as(shape).isNotBlank();
      } else if (this == VERTEX) {
        assertThat(error.path("error").path("message").asText()).as(shape).isNotBlank();
        if (error.path("type").asText().equals("error")) {
          // the model's own refusal: rawPredict answers with the body Anthropic's API gave, as Vertex AI does
          assertThat(error.path("error").path("type").asText()).as(shape).isNotBlank();
        } else {
          // the front end's: Google's shape
          assertThat(error.path("error").path("code").asInt()).as(shape).isEqualTo(answer.status());
          assertThat(error.path("error").path("status").asText()).as(shape).isNotBlank();
        }
      } else if (this == MESSAGES) {
        assertThat(error.path("type").asText()).as(shape).isEqualTo("error");
        assertThat(error.path("error").path("type").isTextual()).as(shape).isTrue();
        assertThat(error.path("error").path("message").asText()).as(shape).isNotBlank();
      } else {
        JsonNode body = error.path("error");
        assertThat(body.isObject()).as(shape).isTrue();
        assertThat(body.path("message").asText()).as(shape).isNotBlank();
        assertThat(body.path("type").isTextual()).as(shape).isTrue();
        assertThat(body.has("param") && body.has("code")).as(shape).isTrue();
      }
    }
  }

  /** What a case may be answered with. */
  enum Expect {
    /** The gateway must refuse it: any 4xx. */
    REJECTED {
      @Override
      boolean accepts(int status) {
        return status >= 400 && status < 500;
      }
    },
    /** The generator may have produced a valid request: 2xx or 4xx, nothing else. */
    TOLERATED {
      @Override
      boolean accepts(int status) {
        return status >= 200 && status < 300 || status >= 400 && status < 500;
      }
    },
    TOO_LARGE {
      @Override
      boolean accepts(int status) {
        return status == 413;
      }
    },
    /**
     * The body's framing broke after the request began: HTTP/1.1 lets the server drop the connection, since it can
     * no longer tell where the next request starts, and Vert.x does.
     */
    BROKEN_FRAMING {
      @Override
      boolean accepts(int status) {
        return status == CLOSED_WITHOUT_ANSWER || REJECTED.accepts(status);
      }
    },
    HEAD_TOO_LARGE {
      @Override
      boolean accepts(int status) {
        return status == 431 || status == 400;
      }
    };

    abstract boolean accepts(int status);

    void check(BadRequest request, Answer answer) {
      assertThat(accepts(answer.status())).as("%s (%s) was answered %d %s", request, this, answer.status(),
          abbreviate(answer.text())).isTrue();
    }
  }

  /** One generated request; {@code toString} is what jqwik prints for a failing sample. */
  record BadRequest(String label, Endpoint endpoint, byte[] body, String[] headers, byte[] raw, Expect expected) {

    static BadRequest http(String label, Endpoint endpoint, byte[] body, Expect expected) {
      return http(label, endpoint, body, endpoint.headers("application/json"), expected);
    }

    static BadRequest http(String label, Endpoint endpoint, byte[] body, String[] headers, Expect expected) {
      return new BadRequest(label, endpoint, body, headers, null, expected);
    }

    static BadRequest raw(String label, Endpoint endpoint, byte[] raw, Expect expected) {
      return new BadRequest(label, endpoint, null, null, raw, expected);
    }

    Answer send() throws Exception {
      return raw != null ? RawRequest.send(raw) : post(endpoint, body, headers);
    }

    @Override
    public String toString() {
      byte[] shown = raw != null ? raw : body;
      return endpoint.path + " [" + label + "] " + abbreviate(new String(shown, ISO_8859_1));
    }
  }

  record Answer(int status, String contentType, byte[] body) {

    String text() {
      return new String(body, UTF_8);
    }
  }

  private static Answer post(Endpoint endpoint, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + endpoint.path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(""),
        response.body());
  }

  /** HTTP/1.1 written and read by hand, for what the JDK client refuses to send. */
  static final class RawRequest {

    private RawRequest() {
    }

    static byte[] post(Endpoint endpoint, String[] headers, byte[] body) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < headers.length; i += 2) {
        lines.add(headers[i] + ": " + headers[i + 1]);
      }
      return build("POST", endpoint.path, lines, body, true);
    }

    static byte[] build(String method, String path, List<String> headerLines, byte[] body, boolean contentLength) {
      StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("host: 127.0.0.1\r\nconnection: close\r\n");
      headerLines.forEach(line -> head.append(line).append("\r\n"));
      if (contentLength) {
        head.append("content-length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(head.toString().getBytes(ISO_8859_1));
      out.writeBytes(body);
      return out.toByteArray();
    }

    static Answer send(byte[] request) throws IOException {
      try (Socket socket = new Socket("127.0.0.1", gateway.node().port())) {
        socket.setSoTimeout(30_000);
        try {
          OutputStream out = socket.getOutputStream();
          out.write(request);
          out.flush();
        } catch (IOException refusedMidway) {
          // the node may answer and close before it has read everything (a head too large): read what it said
        }
        return read(socket.getInputStream());
      }
    }

    private static Answer read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          return new Answer(CLOSED_WITHOUT_ANSWER, "", new byte[0]);
        }
        head.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      String[] lines = head.toString(ISO_8859_1).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      String contentType = "";
      long length = -1;
      boolean chunked = false;
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        switch (name) {
          case "content-type" -> contentType = value;
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          default -> {
          }
        }
      }
      byte[] body;
      if (chunked) {
        body = dechunk(in);
      } else if (length >= 0) {
        body = in.readNBytes((int) length);
      } else {
        body = in.readAllBytes();
      }
      return new Answer(status, contentType, body);
    }

    private static byte[] dechunk(InputStream in) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = line(in);
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
          return body.toByteArray();
        }
        body.writeBytes(in.readNBytes(size));
        line(in);
      }
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static List<String> with(List<String> lines, String line) {
    List<String> more = new ArrayList<>(lines);
    more.add(line);
    return more;
  }

  private static byte[] chunks(byte[] body, int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int at = 0; at < body.length; at += size) {
      int length = Math.min(size, body.length - at);
      out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(ISO_8859_1));
      out.write(body, at, length);
      out.writeBytes("\r\n".getBytes(ISO_8859_1));
    }
    out.writeBytes("0\r\n\r\n".getBytes(ISO_8859_1));
    return out.toByteArray();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static byte[] bytes(JsonNode json) {
    try {
      return JSON.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String abbreviate(String text) {
    String flat = text.replace("\r\n", "⏎");
    return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…(" + flat.length() + " chars)";
  }
}
