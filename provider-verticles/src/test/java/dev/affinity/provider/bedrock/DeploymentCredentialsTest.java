package dev.affinity.provider.bedrock;

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
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Session credentials that expire: one resolution shared, refreshed ahead of expiry without making calls wait. */
class DeploymentCredentialsTest {

  private static final Instant START = Instant.parse("2025-10-01T12:00:00Z");
  private static final Duration LIFETIME = Duration.ofMinutes(15);

  private final MovableClock clock = new MovableClock(START);
  /** Each resolution takes one permit: the test decides when the "STS call" answers. */
  private final Semaphore answers = new Semaphore(0);
  private final AtomicInteger resolutions = new AtomicInteger();
  private volatile boolean failing;
  private Vertx vertx;
  private Context context;
  private DeploymentCredentials credentials;
  private Deployment deployment;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    AwsCredentialsProvider sessions = () -> {
      answers.acquireUninterruptibly();
      int n = resolutions.incrementAndGet();
      if (failing) {
        throw new IllegalStateException("the token service is unreachable");
      }
      return AwsSessionCredentials.builder().accessKeyId("ASIASESSION" + n).secretAccessKey("secret-" + n)
          .sessionToken("token-" + n).expirationTime(clock.instant().plus(LIFETIME)).build();
    };
    credentials = new DeploymentCredentials(vertx, settings -> sessions, clock);
    deployment = BedrockErrorTest.deployment("aws_profile_name: sso-session");
  }

  @AfterEach
  void stop() throws Exception {
    answers.release(100);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Asks on the verticle's context, where the cache lives. */
  private Future<AwsCredentialsIdentity> ask() throws Exception {
    Promise<Future<AwsCredentialsIdentity>> asked = Promise.promise();
    context.runOnContext(v -> asked.complete(credentials.credentials(deployment)));
    return asked.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String keyOf(Future<AwsCredentialsIdentity> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).accessKeyId();
  }

  @Test
  void theNodesLoopsShareOneResolutionAndEachIsAnsweredOnItsOwnLoop() throws Exception {
    // one instance serves every event loop's Bedrock verticle: two loops asking at once make one STS call
    String[] loopThreads = new String[2];
    String[] answeredOn = new String[2];
    List<Future<AwsCredentialsIdentity>> asked = new ArrayList<>();
    Context[] loops = {EventLoops.newLoop(vertx), EventLoops.newLoop(vertx)};
    for (int i = 0; i < 2; i++) {
      int index = i;
      Promise<AwsCredentialsIdentity> answer = Promise.promise();
      CountDownLatch sent = new CountDownLatch(1);
      loops[i].runOnContext(v -> {
        loopThreads[index] = Thread.currentThread().getName();
        credentials.credentials(deployment).onComplete(result -> {
          answeredOn[index] = Thread.currentThread().getName();
          answer.handle(result);
        });
        sent.countDown();
      });
      assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
      asked.add(answer.future());
    }
    answers.release();

    assertThat(keyOf(asked.get(0))).isEqualTo("ASIASESSION1");
    assertThat(keyOf(asked.get(1))).isEqualTo("ASIASESSION1");
    assertThat(resolutions).as("one resolution for both loops").hasValue(1);
    assertThat(loopThreads[0]).as("two event loops").isNotEqualTo(loopThreads[1]);
    assertThat(answeredOn).as("each answered on its own loop").containsExactly(loopThreads);
  }

  @Test
  void concurrentCallsShareOneResolutionAndReuseItUntilNearExpiry() throws Exception {
    Future<AwsCredentialsIdentity> first = ask();
    Future<AwsCredentialsIdentity> second = ask();
    assertThat(first.isComplete()).isFalse();
    answers.release();

    assertThat(keyOf(first)).isEqualTo("ASIASESSION1");
    assertThat(keyOf(second)).isEqualTo("ASIASESSION1");
    clock.advance(LIFETIME.minus(DeploymentCredentials.REFRESH_AHEAD).minusSeconds(1));
    assertThat(ask().isComplete()).as("still fresh: answered at once").isTrue();
    assertThat(resolutions).hasValue(1);
  }

  @Test
  void nearExpiryTheCurrentCredentialsServeWhileFreshOnesAreFetched() throws Exception {
    answers.release();
    keyOf(ask());
    clock.advance(LIFETIME.minus(DeploymentCredentials.REFRESH_AHEAD).plusSeconds(1));

    Future<AwsCredentialsIdentity> during = ask();
    assertThat(during.isComplete()).as("no waiting for the refresh").isTrue();
    assertThat(keyOf(during)).isEqualTo("ASIASESSION1");
    answers.release();
    for (int attempt = 0; attempt < 200 && !keyOf(ask()).equals("ASIASESSION2"); attempt++) {
      Thread.sleep(10);
    }
    assertThat(keyOf(ask())).isEqualTo("ASIASESSION2");
    assertThat(resolutions).hasValue(2);
  }

  @Test
  void credentialsAboutToExpireAreNotUsed() throws Exception {
    answers.release();
    keyOf(ask());
    clock.advance(LIFETIME.minus(DeploymentCredentials.MUST_REFRESH).plusSeconds(1));

    Future<AwsCredentialsIdentity> late = ask();
    assertThat(late.isComplete()).as("waits for fresh credentials").isFalse();
    answers.release();
    assertThat(keyOf(late)).isEqualTo("ASIASESSION2");
  }

  @Test
  void aFailedBackgroundRefreshKeepsTheCurrentCredentialsUntilTheyAreUnusable() throws Exception {
    answers.release();
    keyOf(ask());
    failing = true;
    clock.advance(LIFETIME.minus(DeploymentCredentials.REFRESH_AHEAD).plusSeconds(1));
    answers.release();
    assertThat(keyOf(ask())).isEqualTo("ASIASESSION1");

    clock.advance(DeploymentCredentials.REFRESH_AHEAD);
    answers.release();
    Future<AwsCredentialsIdentity> expired = ask();
    Throwable failure = expired.toCompletionStage().toCompletableFuture().handle((ok, error) -> error)
        .get(10, TimeUnit.SECONDS);
    assertThat(failure).hasMessageContaining("the token service is unreachable");
    assertThat(CredentialsFailure.error(deployment, failure).message()).isEqualTo("credentials for profile"
        + " 'sso-session' could not be loaded: the token service is unreachable (deployment bedrock-a)");
  }
}
