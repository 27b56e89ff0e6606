package dev.affinity.router.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.affinity.router.EmulatedGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A background response that no client reads back is read back by the gateway ({@code background_usage_check}, one
 * second here, then two, four...), so that its usage is booked to the key that made it anyway; the emulator takes
 * 1.5 s per answer, so the first check finds it still running.
 */
class BackgroundUsageCheckTest {

  private static final String MASTER = "sk-check-master";

  private static EmulatedGateway upstream;

  @BeforeAll
  static void start() throws Exception {
    upstream = BackgroundResponsesTest.gatewayOverSlowAnswers(MASTER, "{background_usage_check: 1}");
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.close();
  }

  @Test
  void aBackgroundResponseNobodyReadsIsBookedAnyway() throws Exception {
    String key = upstream.gateway().admin("/key/generate", new JsonObject(), MASTER).getString("key");
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(upstream.gateway().baseUrl() + "/v1").apiKey(key)
        .maxRetries(0).build();
    Response queued = client.responses().create(ResponseCreateParams.builder().model("gpt-4o")
        .input("nobody will ask for this").background(true).build());
    assertThat(queued.status().orElseThrow().toString()).isEqualTo("queued");
    assertThat(spend(key)).isZero();
    double spend = 0;
    for (int i = 0; i < 200 && spend <= 0; i++) {
      Thread.sleep(50);
      spend = spend(key);
    }
    assertThat(spend).as("booked by the gateway's own read").isPositive();
    Thread.sleep(4_500); // past the next checks, were they still running
    assertThat(spend(key)).as("once").isEqualTo(spend);
    // the response itself is the client's still: read back now, it is finished, and books nothing more
    assertThat(client.responses().retrieve(queued.id()).status().orElseThrow().toString()).isEqualTo("completed");
    Thread.sleep(300);
    assertThat(spend(key)).isEqualTo(spend);
  }

  /**
   * A streamed background response whose client left before any byte of the answer: the upstream runs it on, so the
   * gateway reads its stream until the response is named, then reads it back and books it as above.
   */
  @Test
  void aStreamedBackgroundResponseWhoseClientLeftBeforeItsFirstEventIsBooked() throws Exception {
    String key = upstream.gateway().admin("/key/generate", new JsonObject(), MASTER).getString("key");
    byte[] body = """
        {"model":"gpt-4o","input":"I leave at once","background":true,"stream":true}""".getBytes(UTF_8);
    URI base = URI.create(upstream.gateway().baseUrl());
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/responses HTTP/1.1\r\nhost: " + base.getAuthority() + "\r\nauthorization: Bearer " + key
          + "\r\ncontent-type: application/json\r\ncontent-length: " + body.length + "\r\n\r\n")
          .getBytes(UTF_8));
      out.write(body);
      out.flush();
    } // gone before the answer
    double spend = 0;
    for (int i = 0; i < 200 && spend <= 0; i++) {
      Thread.sleep(50);
      spend = spend(key);
    }
    assertThat(spend).as("booked by the gateway's own read").isPositive();
  }

  private static double spend(String key) throws Exception {
    return upstream.gateway().keySpend(key, MASTER);
  }
}
