package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;
import software.amazon.eventstream.MessageDecoder;

/**
 * Bedrock Runtime calls to an emulator, signed by the AWS SDK's own SigV4 signer (what real Bedrock clients use) and
 * sent with the JDK client from the test thread.
 */
final class BedrockCalls {

  static final String MODEL_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  static final String REGION = "us-east-1";

  private final HttpClient http = HttpClient.newHttpClient();
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final String baseUrl;

  BedrockCalls(UpstreamEmulator emulator) {
    this.baseUrl = emulator.baseUrl();
  }

  HttpResponse<byte[]> invoke(AwsCredentialsIdentity identity, JsonObject body) {
    return send(identity, invokePath(MODEL_ID, false), body.encode(), Clock.systemUTC());
  }

  HttpResponse<byte[]> invokeStream(AwsCredentialsIdentity identity, JsonObject body) {
    return send(identity, invokePath(MODEL_ID, true), body.encode(), Clock.systemUTC());
  }

  /** The path as the AWS SDK sends it: the model id is one path segment, {@code :} and {@code /} encoded. */
  static String invokePath(String modelId, boolean stream) {
    return "/model/" + URLEncoder.encode(modelId, StandardCharsets.UTF_8)
        + (stream ? "/invoke-with-response-stream" : "/invoke");
  }

  HttpResponse<byte[]> send(AwsCredentialsIdentity identity, String path, String body, Clock signingClock) {
    return send(sign(identity, path, body, signingClock), body);
  }

  SignedRequest sign(AwsCredentialsIdentity identity, String path, String body, Clock signingClock) {
    SdkHttpRequest unsigned = SdkHttpRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(URI.create(baseUrl + path))
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "application/json")
        .build();
    return signer.sign(request -> request
        .identity(identity)
        .request(unsigned)
        .payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "bedrock")
        .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, signingClock));
  }

  /** Sends a signed request with {@code body} (which may differ from what was signed). */
  HttpResponse<byte[]> send(SignedRequest signed, String body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(signed.request().getUri())
        .POST(HttpRequest.BodyPublishers.ofString(body));
    signed.request().forEachHeader((name, values) -> {
      // The JDK client writes these two itself, from the URI and the body.
      if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
        values.forEach(value -> builder.header(name, value));
      }
    });
    return send(builder.build());
  }

  HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String url(String path) {
    return baseUrl + path;
  }

  static JsonObject json(HttpResponse<byte[]> response) {
    return new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
  }

  /** Decodes event-stream frames with the AWS library, which checks both CRCs of every frame. */
  static List<Message> frames(byte[] stream) {
    MessageDecoder decoder = new MessageDecoder();
    decoder.feed(stream);
    return decoder.getDecodedMessages();
  }

  static String header(Message frame, String name) {
    HeaderValue value = frame.getHeaders().get(name);
    return value == null ? null : value.getString();
  }

  /** The Anthropic events carried by {@code chunk} frames. */
  static List<JsonObject> anthropicEvents(List<Message> frames) {
    List<JsonObject> events = new ArrayList<>();
    for (Message frame : frames) {
      JsonObject payload = new JsonObject(new String(frame.getPayload(), StandardCharsets.UTF_8));
      events.add(new JsonObject(new String(Base64.getDecoder().decode(payload.getString("bytes")),
          StandardCharsets.UTF_8)));
    }
    return events;
  }
}
