package dev.affinity.provider;

import dev.affinity.model.CallOutcome;
import dev.affinity.model.FailedCall;
import dev.affinity.model.GatewayReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waiting for a provider verticle's answers from a test thread, and reading a streamed one whole. */
public final class Replies {

  private Replies() {
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The failure of a call expected to fail. */
  public static Throwable awaitFailure(Future<?> future) throws Exception {
    try {
      await(future);
    } catch (ExecutionException failed) {
      return failed.getCause();
    }
    throw new AssertionError("expected the call to fail");
  }

  /** The whole body of a streamed answer, once it has ended. */
  public static String readAll(GatewayReply reply) throws Exception {
    Promise<String> text = Promise.promise();
    Buffer all = Buffer.buffer();
    reply.stream().handler(all::appendBuffer).exceptionHandler(text::tryFail)
        .endHandler(v -> text.tryComplete(all.toString(StandardCharsets.UTF_8)));
    reply.stream().resume();
    return await(text.future());
  }

  /**
   * {@code reply} as it comes, with the call's one outcome added to {@code outcomes} once it is known: with a complete
   * answer, at the end of a stream, or with the failure.
   */
  public static Future<GatewayReply> outcomeInto(Future<GatewayReply> reply, Queue<CallOutcome> outcomes) {
    return reply.andThen(result -> {
      if (result.failed()) {
        if (result.cause() instanceof FailedCall failed) {
          outcomes.add(failed.outcome());
        }
      } else if (result.result().stream() != null) {
        result.result().stream().outcome().onSuccess(outcomes::add);
      } else {
        outcomes.add(result.result().outcome());
      }
    });
  }
}
