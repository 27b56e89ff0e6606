package dev.affinity.provider;

import dev.affinity.model.CallOutcome;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.translate.StreamTranslation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.affinity.provider.Replies.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A streamed answer crossing from the upstream's loop to its consumer's: what one upstream read brings crosses as one
 * buffer, and the read that brought the head travels with the answer, end included.
 */
class UpstreamBodyTest {

  private static final String EVENTS = "event: a\ndata: {\"n\":1}\n\n" + "event: b\ndata: {\"n\":2}\n\n"
      + "event: c\ndata: {\"n\":3}\n\n";

  private Vertx vertx;
  private NetServer upstream;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  /** An upstream that answers with the head and three events, each its own HTTP chunk, in one write. */
  private int upstream(boolean ends, boolean headFirst) throws Exception {
    StringBuilder chunked = new StringBuilder();
    for (String event : EVENTS.split("(?<=\n\n)")) {
      chunked.append(Integer.toHexString(event.length())).append("\r\n").append(event).append("\r\n");
    }
    if (ends) {
      chunked.append("0\r\n\r\n");
    }
    String head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
    upstream = vertx.createNetServer().connectHandler(socket -> socket.handler(request -> {
      if (headFirst) {
        socket.write(head);
        vertx.setTimer(50, t -> socket.write(chunked.toString()));
      } else {
        socket.write(head + chunked);
      }
    }));
    return await(upstream.listen(0, "127.0.0.1")).actualPort();
  }

  /** Reads the stream on a consumer context of its own, as the ingress does: each buffer as it came, then "END". */
  private List<String> consume(int port) throws Exception {
    Context upstreamContext = vertx.getOrCreateContext();
    Context consumer = vertx.getOrCreateContext();
    HttpClient client = vertx.createHttpClient();
    Promise<UpstreamBody> handedOver = Promise.promise();
    upstreamContext.runOnContext(v -> client.request(HttpMethod.POST, port, "127.0.0.1", "/v1/messages")
        .compose(request -> request.send("{}"))
        .onSuccess(response -> {
          UpstreamBody body = new UpstreamBody(response, upstreamContext, new Unchanged(), 0, failure ->
              new CallOutcome(200, TokenUsage.NONE, failure == null ? null : "stream_interrupted", null));
          body.firstRead(() -> handedOver.complete(body));
        })
        .onFailure(handedOver::fail));
    UpstreamBody body = await(handedOver.future());
    List<String> seen = new CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    consumer.runOnContext(v -> {
      body.handler(chunk -> seen.add(chunk.toString(StandardCharsets.UTF_8)));
      body.exceptionHandler(ended::tryFail);
      body.endHandler(end -> {
        seen.add("END");
        ended.tryComplete();
      });
      body.resume();
    });
    await(ended.future());
    assertNull(await(body.outcome()).errorType());
    return seen;
  }

  @Test
  void anAnswerThatCameWithItsHeadIsHandedOverWhole() throws Exception {
    assertEquals(List.of(EVENTS, "END"), consume(upstream(true, false)));
  }

  @Test
  void theEventsOfOneReadCrossAsOneBuffer() throws Exception {
    int port = upstream(true, true);
    assertEquals(List.of(EVENTS, "END"), consume(port));
  }

  /**
   * A background response's stream whose client leaves before its first event (the upstream sent only the head):
   * the upstream runs the response on, so the read goes on until the stream names it, and the outcome carries the id
   * for the call to be read back and booked. Then the upstream call ends.
   */
  @Test
  void aConsumerLeavingBeforeABackgroundResponseIsNamedLeavesTheReadOnUntilItIs() throws Exception {
    int port = upstream(false, true);
    Context upstreamContext = vertx.getOrCreateContext();
    HttpClient client = vertx.createHttpClient();
    Promise<UpstreamBody> handedOver = Promise.promise();
    NamedLater translation = new NamedLater();
    upstreamContext.runOnContext(v -> client.request(HttpMethod.POST, port, "127.0.0.1", "/v1/responses")
        .compose(request -> request.send("{}"))
        .onSuccess(response -> {
          UpstreamBody body = new UpstreamBody(response, upstreamContext, translation, 5_000, failure ->
              new CallOutcome(200, TokenUsage.NONE, failure == null ? null : "client_disconnected",
                  null, translation.runningResponse()));
          body.firstRead(() -> handedOver.complete(body));
        })
        .onFailure(handedOver::fail));
    UpstreamBody body = await(handedOver.future());
    assertNull(translation.runningResponse(), "the head came alone");
    vertx.getOrCreateContext().runOnContext(v -> body.cancel());
    CallOutcome outcome = await(body.outcome());
    assertEquals("resp_1", outcome.runningResponse());
    assertEquals("client_disconnected", outcome.errorType());
  }

  /** A translation that hands the upstream's bytes on as they are. */
  private static class Unchanged implements StreamTranslation {
    @Override
    public Buffer chunk(Buffer upstream) {
      return upstream;
    }

    @Override
    public Buffer end() {
      return null;
    }

    @Override
    public TokenUsage usage() {
      return TokenUsage.NONE;
    }

    @Override
    public String errorType() {
      return null;
    }

    @Override
    public String contentType() {
      return null;
    }
  }

  /** As {@link Unchanged}, for a background response the upstream names in its first event. */
  private static final class NamedLater extends Unchanged {
    private volatile String named;

    @Override
    public Buffer chunk(Buffer upstream) {
      if (upstream.toString(StandardCharsets.UTF_8).contains("\"n\":1")) {
        named = "resp_1";
      }
      return upstream;
    }

    @Override
    public String runningResponse() {
      return named;
    }

    @Override
    public boolean awaitingResponseId() {
      return named == null;
    }
  }
}
