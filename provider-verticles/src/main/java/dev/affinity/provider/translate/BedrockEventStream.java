package dev.affinity.provider.translate;

import dev.affinity.model.AwsEventStream;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.bedrock.BedrockUsageTap;
import dev.affinity.provider.bedrock.EventStreamToSse;
import io.vertx.core.buffer.Buffer;

/**
 * A stream of Bedrock's event-stream frames, decoded into Anthropic's events to read its usage (Bedrock's billed
 * metrics included), relayed as the frames Bedrock sent ({@link #asSent}, for a Bedrock client) or as the decoded
 * server-sent events ({@link #asSse}, for the clients of the other Claude APIs).
 */
final class BedrockEventStream implements StreamTranslation {

  private final EventStreamToSse decoder;
  private final BedrockUsageTap tap = new BedrockUsageTap();
  private final boolean framesAsSent;

  private BedrockEventStream(Deployment deployment, boolean framesAsSent) {
    this.decoder = new EventStreamToSse(deployment);
    this.framesAsSent = framesAsSent;
  }

  static BedrockEventStream asSent(Deployment deployment) {
    return new BedrockEventStream(deployment, true);
  }

  static BedrockEventStream asSse(Deployment deployment) {
    return new BedrockEventStream(deployment, false);
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    Buffer events = decoder.chunk(upstream);
    if (events != null) {
      tap.feed(events);
    }
    if (framesAsSent) {
      return upstream;
    }
    return events == null ? Buffer.buffer() : events;
  }

  @Override
  public Buffer end() {
    Buffer events = decoder.end();
    if (events != null) {
      tap.feed(events);
    }
    if (framesAsSent) {
      // a stream cut before message_stop: Bedrock's client is told in its own framing
      return tap.errorType() == null || events == null ? null : Buffer.buffer(AwsEventStream.exception(
          AwsEventStream.streamExceptionType(tap.errorType()), "the Bedrock stream ended before the message was"
              + " complete"));
    }
    return events;
  }

  @Override
  public boolean done() {
    return decoder.done();
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
    return framesAsSent ? AwsEventStream.CONTENT_TYPE : "text/event-stream; charset=utf-8";
  }
}
