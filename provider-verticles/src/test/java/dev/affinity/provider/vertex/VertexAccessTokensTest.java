package dev.affinity.provider.vertex;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.EventLoops;
import dev.affinity.provider.MovableClock;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VertexAccessTokensTest {

  private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T12:00:00Z"));
  private final AtomicInteger loads = new AtomicInteger();
  private final AtomicInteger fetches = new AtomicInteger();
  /** When set, a fetch waits for it: the test decides when the token endpoint answers. */
  private volatile CountDownLatch endpoint;
  private Vertx vertx;
  private Context loop;
  private Deployment deployment;
  private VertexAccessTokens tokens;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
    deployment = VertexRequestTest.deployment("us-east5", null);
    tokens = new VertexAccessTokens(vertx, settings -> {
      loads.incrementAndGet();
      return new GoogleCredentials() {
        @Override
        public AccessToken refreshAccessToken() throws IOException {
          CountDownLatch held = endpoint;
          try {
            if (held != null && !held.await(10, TimeUnit.SECONDS)) {
              throw new IOException("the test never let the token endpoint answer");
            }
          } catch (InterruptedException interrupted) {
            throw new IOException(interrupted);
          }
          int n = fetches.incrementAndGet();
          return new AccessToken("token-" + n, new Date(System.currentTimeMillis() + 3_600_000));
        }
      };
    }, clock);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theTokenIsFetchedOnceAndReusedUntilItNearsExpiry() throws Exception {
    assertThat(token()).isEqualTo("token-1");
    clock.advance(Duration.ofMinutes(50));
    assertThat(token()).isEqualTo("token-1");

    assertThat(fetches).hasValue(1);
    assertThat(loads).hasValue(1);
  }

  @Test
  void concurrentFirstRequestsShareOneFetch() throws Exception {
    List<String> both = onLoop(() -> Future.all(tokens.token(deployment), tokens.token(deployment))
        .map(all -> List.<String>of(all.resultAt(0), all.resultAt(1))));

    assertThat(both).containsExactly("token-1", "token-1");
    assertThat(fetches).hasValue(1);
  }

  @Test
  void theNodesLoopsShareOneFetchAndEachIsAnsweredOnItsOwnLoop() throws Exception {
    // one instance serves every event loop's Vertex verticle: two loops asking at once fetch one token
    endpoint = new CountDownLatch(1);
    Context[] loops = {EventLoops.newLoop(vertx), EventLoops.newLoop(vertx)};
    String[] loopThreads = new String[2];
    String[] answeredOn = new String[2];
    List<CompletableFuture<String>> asked = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      int index = i;
      CompletableFuture<String> answer = new CompletableFuture<>();
      loops[i].runOnContext(v -> {
        loopThreads[index] = Thread.currentThread().getName();
        tokens.token(deployment).onComplete(result -> {
          answeredOn[index] = Thread.currentThread().getName();
          if (result.succeeded()) {
            answer.complete(result.result());
          } else {
            answer.completeExceptionally(result.cause());
          }
        });
      });
      asked.add(answer);
    }
    // both loops have asked before the endpoint answers
    for (int tries = 0; (loopThreads[0] == null || loopThreads[1] == null) && tries < 500; tries++) {
      Thread.sleep(10);
    }
    assertThat(asked).as("no answer before the endpoint's").noneMatch(CompletableFuture::isDone);
    endpoint.countDown();

    assertThat(asked.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("token-1");
    assertThat(asked.get(1).get(10, TimeUnit.SECONDS)).isEqualTo("token-1");
    assertThat(fetches).as("one fetch for both loops").hasValue(1);
    assertThat(loopThreads[0]).as("two event loops").isNotEqualTo(loopThreads[1]);
    assertThat(answeredOn).as("each answered on its own loop").containsExactly(loopThreads);
  }

  @Test
  void nearExpiryTheCurrentTokenServesWhileAFreshOneIsFetched() throws Exception {
    token();
    clock.advance(Duration.ofMinutes(57));

    assertThat(token()).as("no request waits for the refresh").isEqualTo("token-1");
    String next = token();
    for (int tries = 0; !next.equals("token-2") && tries < 200; tries++) {
      Thread.sleep(10);
      next = token();
    }
    assertThat(next).isEqualTo("token-2");
    assertThat(fetches).hasValue(2);
    assertThat(loads).as("the credentials are loaded once").hasValue(1);
  }

  @Test
  void aTokenAboutToExpireMakesTheRequestWaitForAFreshOne() throws Exception {
    token();
    clock.advance(Duration.ofMinutes(59).plusSeconds(30));

    assertThat(token()).isEqualTo("token-2");
  }

  @Test
  void anInvalidatedTokenIsReplacedOnTheNextRequest() throws Exception {
    String first = token();
    onLoop(() -> {
      tokens.invalidate(deployment, first);
      return Future.succeededFuture();
    });

    assertThat(token()).isEqualTo("token-2");
  }

  @Test
  void credentialsThatCannotBeLoadedFailWithTheirSourceOnly() {
    tokens = new VertexAccessTokens(vertx, settings -> {
      throw new IOException("Your default credentials were not found");
    }, clock);

    assertThatThrownBy(this::token).isInstanceOf(ExecutionException.class).cause()
        .hasMessage("the application default credentials could not be loaded: Your default credentials were not"
            + " found");
  }

  private String token() throws Exception {
    return onLoop(() -> tokens.token(deployment));
  }

  private <T> T onLoop(Supplier<Future<T>> action) throws Exception {
    Promise<T> result = Promise.promise();
    loop.runOnContext(v -> action.get().onComplete(result));
    return result.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
