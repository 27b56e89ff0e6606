package dev.affinity.provider.translate;

import dev.affinity.model.config.Deployment;
import dev.affinity.provider.bedrock.EventStreamToSse;

import java.io.ByteArrayOutputStream;

import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.utf8;

/** What the contract tests of the Bedrock InvokeModel and Vertex rawPredict pairs share: deployments and streams. */
final class CloudPairs {

  /** The Messages body the ingress makes of a Bedrock or Vertex request, as the router hands it over. */
  static final String MESSAGES = """
      {"model":"sonnet","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""";

  static final Deployment ANTHROPIC = PairFixture.deployment("""
      model: anthropic/claude-sonnet-4-5
      api_key: sk-test""");
  static final Deployment BEDROCK = PairFixture.deployment("""
      model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
      aws_access_key_id: AKIAEXAMPLE000000001
      aws_secret_access_key: secret-secret-secret-secret-secret-0001
      aws_region_name: us-east-1""");
  static final Deployment VERTEX = PairFixture.deployment("""
      model: vertex_ai/claude-sonnet-4-5@20250929
      vertex_project: proj-a
      vertex_location: us-east5""");

  private CloudPairs() {
  }

  /** {@link PairFixture#ANTHROPIC_SSE} as Bedrock streams it: one {@code chunk} frame per event, no ping. */
  static byte[] bedrockFrames() {
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    data(PairFixture.ANTHROPIC_SSE).forEach(event -> frames.writeBytes(EventStreamToSse.chunkFrame(event.toString())));
    return frames.toByteArray();
  }

  /** The Anthropic events a client reads back from Bedrock event-stream frames, as SSE. */
  static String decoded(byte[] frames) {
    return new EventStreamToSse(BEDROCK).chunk(io.vertx.core.buffer.Buffer.buffer(frames)).toString();
  }

  /** Every byte the client receives for {@code upstream} cut every {@code size} bytes, the end included. */
  static byte[] streamed(StreamTranslation stream, byte[] upstream, int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < upstream.length && !stream.done(); i += size) {
      out.writeBytes(stream.chunk(io.vertx.core.buffer.Buffer.buffer().appendBytes(upstream, i,
          Math.min(size, upstream.length - i))).getBytes());
    }
    io.vertx.core.buffer.Buffer tail = stream.end();
    if (tail != null) {
      out.writeBytes(tail.getBytes());
    }
    return out.toByteArray();
  }

  static byte[] anthropicSse() {
    return utf8(PairFixture.ANTHROPIC_SSE);
  }
}
