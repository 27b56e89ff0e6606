package dev.affinity.provider;

import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.RefreshedCredentials.Fetched;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** One deployment's credentials: kept while fresh, refreshed ahead of expiry, one fetch shared, answered on each loop. */
class RefreshedCredentialsTest {

  private static final Instant START = Instant.parse("2026-01-01T12:00:00Z");
  private static final Duration LIFETIME = Duration.ofMinutes(15);
  private static final Duration RELOAD = Duration.ofMinutes(10);

  private final MovableClock clock = new MovableClock(START);
  /** Each fetch takes one permit: the test decides when the "token endpoint" answers. */
  private final Semaphore answers = new Semaphore(0);
  private final AtomicInteger fetches = new AtomicInteger();
  /** What each fetch was given as the previous value. */
  private final List<String> previous = new CopyOnWriteArrayList<>();
  /** The deployment and reason of a failed background refresh, as reported. */
  private final CompletableFuture<String> refreshFailure = new CompletableFuture<>();
  private volatile boolean failing;
  private volatile boolean expiring = true;
  private Vertx vertx;
  private Context loop;
  private Deployment deployment;
  private RefreshedCredentials<String> credentials;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
    deployment = ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-ant-test}
          model_info: {id: anthropic-a}
        """, Map.of()).deployments().get(0);
    credentials = new RefreshedCredentials<>(vertx, clock, (asked, last) -> {
      if (!answers.tryAcquire(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never let the fetch answer");
      }
      previous.add(String.valueOf(last));
      int n = fetches.incrementAndGet();
      if (failing) {
        throw new IllegalStateException("the token endpoint is unreachable");
      }
      return expiring ? Fetched.expiringAt("value-" + n, clock.instant().plus(LIFETIME))
          : Fetched.reloadedAfter("value-" + n, RELOAD);
    }, (failed, failure) -> refreshFailure.complete(failed.id() + ": " + failure.getMessage()));
  }

  @AfterEach
  void stop() throws Exception {
    answers.release(100);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFreshValueIsServedWithoutAFetch() throws Exception {
    Future<String> first = ask();
    assertThat(first.isComplete()).as("the first request waits for the fetch").isFalse();
    answers.release();
    assertThat(valueOf(first)).isEqualTo("value-1");

    clock.advance(LIFETIME.minus(RefreshedCredentials.REFRESH_AHEAD).minusSeconds(1));
    Future<String> fresh = ask();
    assertThat(fresh.isComplete()).as("answered at once").isTrue();
    assertThat(valueOf(fresh)).isEqualTo("value-1");
    assertThat(fetches).hasValue(1);
    assertThat(previous).containsExactly("null");
  }

  @Test
  void aStaleValueIsServedWhileOneBackgroundFetchRuns() throws Exception {
    answers.release();
    valueOf(ask());
    clock.advance(LIFETIME.minus(RefreshedCredentials.REFRESH_AHEAD).plusSeconds(1));

    Future<String> during = ask();
    Future<String> again = ask();
    assertThat(during.isComplete()).as("no waiting for the refresh").isTrue();
    assertThat(again.isComplete()).as("no waiting for the refresh").isTrue();
    assertThat(valueOf(during)).isEqualTo("value-1");
    assertThat(valueOf(again)).isEqualTo("value-1");
    answers.release();

    // once the current value is unusable, a request gets the background fetch's (joining it if it still runs)
    clock.advance(RefreshedCredentials.REFRESH_AHEAD.minus(RefreshedCredentials.MUST_REFRESH));
    assertThat(valueOf(ask())).isEqualTo("value-2");
    assertThat(fetches).as("one background fetch for both stale requests").hasValue(2);
    assertThat(previous).as("the fetch is given the value it replaces").containsExactly("null", "value-1");
  }

  @Test
  void anUnusableValueMakesTheRequestWait() throws Exception {
    answers.release();
    valueOf(ask());
    clock.advance(LIFETIME.minus(RefreshedCredentials.MUST_REFRESH).plusSeconds(1));

    Future<String> late = ask();
    assertThat(late.isComplete()).as("waits for a fresh value").isFalse();
    answers.release();
    assertThat(valueOf(late)).isEqualTo("value-2");
  }

  @Test
  void concurrentRequestsOfTwoLoopsShareOneFetchAndEachIsAnsweredOnItsOwnLoop() throws Exception {
    int perLoop = 3;
    Context[] loops = {EventLoops.newLoop(vertx), EventLoops.newLoop(vertx)};
    String[] loopThreads = new String[loops.length];
    List<CompletableFuture<String>> answered = new ArrayList<>();
    List<CompletableFuture<Boolean>> onOwnLoop = new ArrayList<>();
    for (int i = 0; i < loops.length; i++) {
      int index = i;
      CountDownLatch asked = new CountDownLatch(1);
      List<CompletableFuture<String>> values = new ArrayList<>();
      List<CompletableFuture<Boolean>> places = new ArrayList<>();
      for (int n = 0; n < perLoop; n++) {
        values.add(new CompletableFuture<>());
        places.add(new CompletableFuture<>());
      }
      loops[i].runOnContext(v -> {
        loopThreads[index] = Thread.currentThread().getName();
        for (int n = 0; n < perLoop; n++) {
          CompletableFuture<String> value = values.get(n);
          CompletableFuture<Boolean> place = places.get(n);
          credentials.get(deployment).onComplete(result -> {
            place.complete(Vertx.currentContext() == loops[index]
                && Thread.currentThread().getName().equals(loopThreads[index]));
            if (result.succeeded()) {
              value.complete(result.result());
            } else {
              value.completeExceptionally(result.cause());
            }
          });
        }
        asked.countDown();
      });
      assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
      answered.addAll(values);
      onOwnLoop.addAll(places);
    }
    assertThat(answered).as("no answer before the fetch's").noneMatch(CompletableFuture::isDone);
    answers.release();

    for (CompletableFuture<String> value : answered) {
      assertThat(value.get(10, TimeUnit.SECONDS)).isEqualTo("value-1");
    }
    for (CompletableFuture<Boolean> place : onOwnLoop) {
      assertThat(place.get(10, TimeUnit.SECONDS)).as("answered on the asking loop").isTrue();
    }
    assertThat(loopThreads[0]).as("two event loops").isNotEqualTo(loopThreads[1]);
    assertThat(fetches).as("one fetch for every request of both loops").hasValue(1);
  }

  @Test
  void aFailedFetchFailsItsRequestsAndTheNextRequestFetchesAgain() throws Exception {
    failing = true;
    Future<String> first = ask();
    Future<String> second = ask();
    answers.release();

    assertThat(failureOf(first)).hasMessage("the token endpoint is unreachable");
    assertThat(failureOf(second)).hasMessage("the token endpoint is unreachable");
    assertThat(fetches).as("both requests waited on one fetch").hasValue(1);

    failing = false;
    Future<String> next = ask();
    assertThat(next.isComplete()).as("nothing kept from the failure").isFalse();
    answers.release();
    assertThat(valueOf(next)).isEqualTo("value-2");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void aFailedBackgroundRefreshIsReportedAndKeepsTheCurrentValue() throws Exception {
    answers.release();
    valueOf(ask());
    failing = true;
    clock.advance(LIFETIME.minus(RefreshedCredentials.REFRESH_AHEAD).plusSeconds(1));

    Future<String> during = ask();
    answers.release();
    assertThat(valueOf(during)).isEqualTo("value-1");
    assertThat(refreshFailure.get(10, TimeUnit.SECONDS)).isEqualTo("anthropic-a: the token endpoint is unreachable");

    Future<String> after = ask();
    assertThat(after.isComplete()).as("still answered at once").isTrue();
    assertThat(valueOf(after)).isEqualTo("value-1");
  }

  @Test
  void aValueWithoutExpiryIsReloadedInTheBackgroundAndNeverUnusable() throws Exception {
    expiring = false;
    answers.release();
    valueOf(ask());

    clock.advance(RELOAD.minusSeconds(1));
    assertThat(valueOf(ask())).isEqualTo("value-1");
    assertThat(fetches).as("not reloaded before the interval").hasValue(1);

    clock.advance(Duration.ofSeconds(2));
    Future<String> due = ask();
    clock.advance(Duration.ofDays(1));
    Future<String> muchLater = ask();
    assertThat(due.isComplete()).as("the reload runs in the background").isTrue();
    assertThat(muchLater.isComplete()).as("no point where it may not be used").isTrue();
    assertThat(valueOf(muchLater)).isEqualTo("value-1");
    answers.release();
    String next = valueOf(ask());
    for (int tries = 0; !next.equals("value-2") && tries < 200; tries++) {
      Thread.sleep(10);
      next = valueOf(ask());
    }
    assertThat(next).isEqualTo("value-2");
    assertThat(fetches).as("one reload for both requests past the interval").hasValue(2);
  }

  @Test
  void invalidatingDropsTheValueOnlyIfItIsStillTheOneInHand() throws Exception {
    answers.release();
    valueOf(ask());

    onLoop(() -> credentials.invalidate(deployment, "value-0"::equals));
    Future<String> kept = ask();
    assertThat(kept.isComplete()).as("another value was refused: this one is kept").isTrue();
    assertThat(valueOf(kept)).isEqualTo("value-1");

    onLoop(() -> credentials.invalidate(deployment, "value-1"::equals));
    Future<String> replaced = ask();
    assertThat(replaced.isComplete()).as("the refused value is not used").isFalse();
    answers.release();
    assertThat(valueOf(replaced)).isEqualTo("value-2");
    assertThat(previous).as("the next fetch is still given the refused value").containsExactly("null", "value-1");
  }

  /** Asks on the test's loop. */
  private Future<String> ask() throws Exception {
    Promise<Future<String>> asked = Promise.promise();
    loop.runOnContext(v -> asked.complete(credentials.get(deployment)));
    return asked.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void onLoop(Runnable action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.runOnContext(v -> {
      action.run();
      done.complete(null);
    });
    done.get(10, TimeUnit.SECONDS);
  }

  private static String valueOf(Future<String> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(Future<String> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().handle((ok, error) -> error).get(10, TimeUnit.SECONDS);
  }
}
