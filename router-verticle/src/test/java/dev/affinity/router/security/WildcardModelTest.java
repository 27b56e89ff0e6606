package dev.affinity.router.security;

import dev.affinity.model.LogField;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 finding 5: under a wildcard alias the client's model name went into Gemini's URL path unencoded and
 * reached another RPC with the deployment's key; a request that failed locally cooled the deployment; a {@code \n}
 * in a model name forged a request log line.
 */
class WildcardModelTest {

  private static final List<String> seen = new CopyOnWriteArrayList<>();
  private static Vertx vertx;
  private static HttpServer upstream;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // an upstream that records every path it is asked for and answers a Gemini-shaped 404
    upstream = await(vertx.createHttpServer().requestHandler(request -> {
      seen.add(request.uri());
      request.response().setStatusCode(404).putHeader("content-type", "application/json")
          .end("{\"error\":{\"code\":404,\"message\":\"no such model\",\"status\":\"NOT_FOUND\"}}");
    }).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  private static TestGateway gateway() throws Exception {
    return TestGateway.start("""
        model_list:
          - model_name: gemini-*
            litellm_params: {model: gemini/gemini-*, api_key: sk-gem, api_base: "http://127.0.0.1:%d"}
            model_info: {id: gem}
        """.formatted(upstream.actualPort()));
  }

  private static HttpResponse<String> ask(TestGateway gateway, String model) throws Exception {
    String json = model.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return gateway.post("/v1/messages", "{\"model\":\"" + json + "\",\"max_tokens\":5,\"messages\":[{\"role\":"
        + "\"user\",\"content\":\"hi\"}]}", "content-type", "application/json");
  }

  @Test
  @Timeout(120)
  void aModelNameCannotWalkTheUpstreamPath() throws Exception {
    seen.clear();
    try (TestGateway gateway = gateway()) {
      HttpResponse<String> answer = ask(gateway, "gemini-x/../../../v1beta/cachedContents?");
      assertThat(answer.statusCode()).as(answer.body()).isBetween(400, 499);
      assertThat(answer.body()).contains("\"type\":\"not_found_error\"");
      assertThat(seen).noneMatch(uri -> uri.contains("cachedContents"));
      // a valid name under the wildcard still goes through, to its own path
      assertThat(ask(gateway, "gemini-2.5-flash").statusCode()).isEqualTo(404);
      assertThat(seen).anyMatch(uri -> uri.startsWith("/v1beta/models/gemini-2.5-flash:generateContent"));
    }
  }

  @Test
  @Timeout(120)
  void requestsThatFailHereDoNotCoolTheDeployment() throws Exception {
    seen.clear();
    try (TestGateway gateway = gateway()) {
      // names the HTTP client could not put in a URI: they used to fail locally and count as upstream faults
      for (String crafted : List.of("gemini-a b", "gemini-%zz", "gemini-{x}", "gemini-a b", "gemini-%zz")) {
        HttpResponse<String> answer = ask(gateway, crafted);
        assertThat(answer.statusCode()).as(crafted + ": " + answer.body()).isLessThan(500);
      }
      // the deployment is not cooling: a good request reaches the upstream
      seen.clear();
      ask(gateway, "gemini-2.5-flash");
      assertThat(seen).anyMatch(uri -> uri.contains("gemini-2.5-flash"));
    }
  }

  @Test
  @Timeout(120)
  void aNewlineInAModelNameCannotForgeALogLine() throws Exception {
    try (TestGateway gateway = gateway(); LogCapture log = LogCapture.install()) {
      ask(gateway, "gemini-2.5-flash\nrequest=forged model=x status=200");
      ask(gateway, "gemini-2.5-flash");
      for (int i = 0; i < 100 && !log.all().contains("request=req_"); i++) {
        Thread.sleep(50);
      }
      assertThat(log.all()).contains("request=req_").doesNotContain("\nrequest=forged");
    }
    assertThat(LogField.value("a\nb c=d")).isEqualTo("a\\u000ab\\u0020c\\u003dd");
  }
}
