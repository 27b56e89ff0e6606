package dev.affinity.router.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.provider.translate.ResponseIds;
import dev.affinity.router.EmulatedGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * OpenAI's background mode through the gateway with openai-java, on an emulator whose answers take 1.5 s: a background
 * response comes back {@code queued} with the gateway's id, is polled to its answer, or cancelled while it runs
 * (idempotently); a response made in the foreground cannot be cancelled.
 */
class BackgroundResponsesTest {

  private static final String MASTER = "sk-background-master";

  private static EmulatedGateway upstream;

  @BeforeAll
  static void start() throws Exception {
    upstream = EmulatedGateway.start(MASTER, Map.of("oa-1", "sk-oa-1"),
        options -> options.setLatency(new LatencyModel(1_500, 0, 0, 0)), base -> """
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: sk-oa-1, api_base: "%1$s/v1"}
            model_info: {id: oa-1}
        """.formatted(base));
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.close();
  }

  private static OpenAIClient client() {
    return OpenAIOkHttpClient.builder().baseUrl(upstream.gateway().baseUrl() + "/v1").apiKey(MASTER).maxRetries(0)
        .build();
  }

  private static Response inBackground(String input) {
    return client().responses().create(ResponseCreateParams.builder().model("gpt-4o").input(input).background(true)
        .build());
  }

  private static String status(Response response) {
    return response.status().orElseThrow().toString();
  }

  @Test
  void aBackgroundResponseIsPolledToItsAnswer() throws Exception {
    Response queued = inBackground("answer this later");
    assertThat(status(queued)).isEqualTo("queued");
    assertThat(queued.background()).contains(true);
    assertThat(ResponseIds.origin(queued.id())).as("the gateway's id").isPresent();

    Response done = client().responses().retrieve(queued.id());
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (!status(done).equals("completed") && System.nanoTime() < deadline) {
      Thread.sleep(200);
      done = client().responses().retrieve(queued.id());
    }
    assertThat(status(done)).isEqualTo("completed");
    assertThat(done.id()).isEqualTo(queued.id());
    assertThat(done.output()).isNotEmpty();
    assertThat(done.usage().orElseThrow().outputTokens()).isPositive();
    // over: cancelling it now changes nothing
    assertThat(status(client().responses().cancel(queued.id()))).isEqualTo("completed");
  }

  @Test
  void aBackgroundResponseIsCancelledWhileItRuns() throws Exception {
    Response queued = inBackground("cancel this");
    Response cancelled = client().responses().cancel(queued.id());
    assertThat(status(cancelled)).isEqualTo("cancelled");
    assertThat(cancelled.id()).isEqualTo(queued.id());
    assertThat(status(client().responses().cancel(queued.id()))).as("idempotent").isEqualTo("cancelled");
    Thread.sleep(2_000); // past the time its answer would have come
    Response later = client().responses().retrieve(queued.id());
    assertThat(status(later)).isEqualTo("cancelled");
    assertThat(later.output()).isEmpty();
  }

  @Test
  void aForegroundResponseCannotBeCancelled() {
    Response answered = client().responses().create(ResponseCreateParams.builder().model("gpt-4o").input("now")
        .build());
    BadRequestException refused = catchThrowableOfType(() -> client().responses().cancel(answered.id()),
        BadRequestException.class);
    assertThat(refused).isNotNull();
    assertThat(refused.getMessage()).contains("background");
  }
}
