package dev.affinity.provider.translate;

import dev.affinity.model.AwsEventStream;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.bedrock.BedrockUsageTap;
import dev.affinity.provider.bedrock.EventStreamToSse;
import io.vertx.core.buffer.Buffer;

/**
 * A stream of Bedrock's event-stream frames relayed as Bedrock sent them, for a client of Bedrock's own API: decoded
 * on the side into Anthropic's events only to read its usage (Bedrock's billed metrics included) and errors.
 */
final class BedrockEventStream implements StreamTranslation {

  private final EventStreamToSse decoder;
  private final BedrockUsageTap tap = new BedrockUsageTap();

  private BedrockEventStream(Deployment deployment) {
    this.decoder = new EventStreamToSse(deployment);
  }

  static BedrockEventStream asSent(Deployment deployment) {
    return new BedrockEventStream(deployment);
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    Buffer events = decoder.chunk(upstream);
    if (events != null) {
      tap.feed(events);
    }
    return upstream;
  }

  @Override
  public Buffer end() {
    Buffer events = decoder.end();
    if (events != null) {
      tap.feed(events);
    }
    // a stream cut before message_stop: Bedrock's client is told in its own framing
    return tap.errorType() == null || events == null ? null : Buffer.buffer(AwsEventStream.exception(
        AwsEventStream.streamExceptionType(tap.errorType()), "the Bedrock stream ended before the message was"
            + " complete"));
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
    return AwsEventStream.CONTENT_TYPE;
  }
}
