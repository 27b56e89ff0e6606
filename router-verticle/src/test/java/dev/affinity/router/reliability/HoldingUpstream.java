package dev.affinity.router.reliability;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Anthropic Messages upstream whose streams begin at once and then wait, as long as the test likes: each one
 * sends its headers and first events and holds until {@link #release()} sends the rest. Complete (non-streaming)
 * answers come at once. Lets a test keep requests in flight for exactly as long as it needs them.
 */
final class HoldingUpstream {

  private record Held(Context context, HttpServerResponse response) {
  }

  private final HttpServer server;
  private final Queue<Held> held = new ConcurrentLinkedQueue<>();
  private final AtomicInteger abandoned = new AtomicInteger();

  private HoldingUpstream(HttpServer server) {
    this.server = server;
  }

  static Future<HoldingUpstream> start(Vertx vertx) {
    HoldingUpstream[] self = new HoldingUpstream[1];
    return vertx.createHttpServer().requestHandler(request -> self[0].answer(request)).listen(0, "127.0.0.1")
        .map(server -> self[0] = new HoldingUpstream(server));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Streams begun and not yet released. */
  int holding() {
    return held.size();
  }

  /** Held streams whose connection the gateway closed before they were released: cancelled calls. */
  int abandoned() {
    return abandoned.get();
  }

  /** Finishes every held stream, each on its own connection's context. */
  void release() {
    List<Held> now = new ArrayList<>();
    for (Held one; (one = held.poll()) != null; ) {
      now.add(one);
    }
    now.forEach(one -> one.context().runOnContext(v -> finish(one.response())));
  }

  Future<Void> close() {
    return server.close();
  }

  private void answer(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      JsonObject json = body.toJsonObject();
      HttpServerResponse response = request.response();
      if (!json.getBoolean("stream", false)) {
        response.putHeader("content-type", "application/json").end(new JsonObject()
            .put("id", "msg_held").put("type", "message").put("role", "assistant")
            .put("model", json.getString("model"))
            .put("content", List.of(new JsonObject().put("type", "text").put("text", "at once")))
            .put("stop_reason", "end_turn").putNull("stop_sequence")
            .put("usage", new JsonObject().put("input_tokens", 5).put("output_tokens", 2)).encode());
        return;
      }
      response.setChunked(true).putHeader("content-type", "text/event-stream");
      event(response, "message_start", new JsonObject().put("type", "message_start").put("message", new JsonObject()
          .put("id", "msg_held").put("type", "message").put("role", "assistant").put("model", json.getString("model"))
          .put("content", List.of()).putNull("stop_reason").putNull("stop_sequence")
          .put("usage", new JsonObject().put("input_tokens", 5).put("output_tokens", 1))));
      event(response, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
          .put("content_block", new JsonObject().put("type", "text").put("text", "")));
      Held stream = new Held(Vertx.currentContext(), response);
      held.add(stream);
      // the gateway cancelled the call (it resets the connection) before the test released it
      response.closeHandler(closed -> {
        if (held.remove(stream)) {
          abandoned.incrementAndGet();
        }
      });
    });
  }

  private static void finish(HttpServerResponse response) {
    if (response.closed()) {
      return;
    }
    event(response, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
        .put("delta", new JsonObject().put("type", "text_delta").put("text", "finally")));
    event(response, "content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", 0));
    event(response, "message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", "end_turn").putNull("stop_sequence"))
        .put("usage", new JsonObject().put("output_tokens", 2)));
    response.end("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }

  private static void event(HttpServerResponse response, String name, JsonObject data) {
    response.write("event: " + name + "\ndata: " + data.encode() + "\n\n");
  }
}
