package dev.affinity.emulator;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Collects the request body exactly as received, up to a limit. Unlike vertx-web's {@code BodyHandler} it never
 * decodes forms: the emulator must see (and capture) the bytes a gateway sent whatever their content type.
 */
final class RawBody implements Handler<RoutingContext> {

  private static final String KEY = "emulator.raw-body";

  private final long limit;

  RawBody(long limit) {
    this.limit = limit;
  }

  /** The collected body; empty when the request had none. */
  static Buffer of(RoutingContext ctx) {
    return ctx.get(KEY, Buffer.buffer());
  }

  /**
   * Hands later handlers {@code body} in place of the one received (a Vertex AI body with its model, which arrives in
   * the path, put back in). The request as captured keeps the bytes received.
   */
  static void replace(RoutingContext ctx, Buffer body) {
    ctx.put(KEY, body);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && parseLength(declared) > limit) {
      ctx.fail(413);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    request.handler(chunk -> {
      if (tooLarge[0]) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        tooLarge[0] = true;
        ctx.fail(413);
      } else {
        body.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(ctx::fail);
    request.endHandler(v -> {
      if (!tooLarge[0]) {
        ctx.put(KEY, body);
        ctx.next();
      }
    });
    request.resume();
  }

  private static long parseLength(String declared) {
    try {
      return Long.parseLong(declared.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
