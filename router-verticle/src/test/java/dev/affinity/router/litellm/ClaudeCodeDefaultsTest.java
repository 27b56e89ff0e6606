package dev.affinity.router.litellm;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.affinity.emulator.CapturedRequest;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's Claude Code quick start against the shipped examples/emulator-config.yaml: Claude Code started with no
 * --model and no model variables asks for dated ids and a Haiku id, authenticating as ANTHROPIC_AUTH_TOKEN does
 * (Bearer); every one is served.
 */
class ClaudeCodeDefaultsTest {

  @Test
  void theEmulatorExampleServesWhatClaudeCodeAsksForWithoutAModel() throws Exception {
    Vertx vertx = Vertx.vertx();
    UpstreamEmulator emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions()
        .setLatency(LatencyModel.ZERO).addAccount("emu-1", "sk-emu-1").addAccount("emu-2", "sk-emu-2")
        .addAccount("emu-3", "sk-emu-3")));
    String yaml = Files.readString(Path.of("..", "examples", "emulator-config.yaml"))
        .replace("http://127.0.0.1:9100", emulator.baseUrl());
    try (TestGateway gateway = TestGateway.start(yaml)) {
      for (String model : List.of("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001")) {
        HttpResponse<String> response = gateway.post("/v1/messages?beta=true", """
            {"model":"%s","max_tokens":32,"stream":false,"messages":[{"role":"user","content":"hello"}]}
            """.formatted(model), "authorization", "Bearer sk-affinity-demo", "anthropic-version", "2023-06-01",
            "anthropic-beta", "claude-code-20250219", "content-type", "application/json");

        assertThat(response.statusCode()).as(model + ": " + response.body()).isEqualTo(200);
        List<CapturedRequest> sent = new ArrayList<>();
        for (String account : List.of("emu-1", "emu-2", "emu-3")) {
          sent.addAll(emulator.capturedRequests(account));
        }
        assertThat(sent).anySatisfy(request -> assertThat(request.body()).contains("\"model\":\"" + model + "\""));
      }
    } finally {
      await(emulator.close());
      await(vertx.close());
    }
  }
}
