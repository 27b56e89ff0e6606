package dev.affinity.provider;

import dev.affinity.model.GatewayReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
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
}
