package dev.affinity.provider.translate;

import dev.affinity.model.AwsEventStream;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.UpstreamBody;
import dev.affinity.provider.anthropic.SseUsageTap;
import io.vertx.core.buffer.Buffer;

/**
 * A stream of Anthropic's server-sent events (from Anthropic or Vertex AI), its usage read as it goes by, relayed as
 * it is ({@link #asSent()}) or as Bedrock's event stream ({@link #asEventStream()}).
 */
final class AnthropicSseStream implements StreamTranslation {

  private static final String SSE = "text/event-stream; charset=utf-8";

  private final SseUsageTap tap = new SseUsageTap();
  private final UpstreamBody.Rewrite out;
  private final String contentType;

  private AnthropicSseStream(UpstreamBody.Rewrite out, String contentType) {
    this.out = out;
    this.contentType = contentType;
  }

  /** The events as the upstream sent them. */
  static AnthropicSseStream asSent() {
    return new AnthropicSseStream(UpstreamBody.Rewrite.NONE, SSE);
  }

  /** The events as the frames of Bedrock's InvokeModelWithResponseStream. */
  static AnthropicSseStream asEventStream() {
    return new AnthropicSseStream(new SseToEventStream(), AwsEventStream.CONTENT_TYPE);
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    tap.feed(upstream);
    Buffer client = out.chunk(upstream);
    return client == null ? Buffer.buffer() : client;
  }

  @Override
  public Buffer end() {
    return out.end();
  }

  @Override
  public boolean done() {
    return out.done();
  }

  @Override
  public TokenUsage usage() {
    return tap.usage();
  }

  @Override
  public String errorType() {
    return tap.errorType();
  }

  @Override
  public String contentType() {
    return contentType;
  }
}
