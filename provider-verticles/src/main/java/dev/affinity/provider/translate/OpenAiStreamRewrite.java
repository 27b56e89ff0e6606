package dev.affinity.provider.translate;

import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.provider.UpstreamBody;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * The stream rewrite every provider of Anthropic-format answers (Anthropic, Bedrock, Vertex) applies for a client of
 * the OpenAI API: Anthropic SSE events in, OpenAI chunks out, as they arrive.
 */
public final class OpenAiStreamRewrite implements UpstreamBody.Rewrite {

  private final OpenAiChunkStream chunks;

  private OpenAiStreamRewrite(OpenAiChunkStream chunks) {
    this.chunks = chunks;
  }

  /** The rewrite {@code call} needs: OpenAI chunks for an OpenAI client, nothing otherwise. */
  public static UpstreamBody.Rewrite of(ProviderCall call) {
    if (call.request().operation() != Operation.CHAT_COMPLETIONS) {
      return UpstreamBody.Rewrite.NONE;
    }
    return new OpenAiStreamRewrite(new OpenAiChunkStream(call.request().model(), call.streamUsage()));
  }

  @Override
  public Buffer chunk(Buffer events) {
    return frames(chunks.feed(events.getBytes()));
  }

  @Override
  public Buffer end() {
    return frames(chunks.finish());
  }

  private static Buffer frames(List<String> frames) {
    Buffer out = Buffer.buffer();
    frames.forEach(out::appendString);
    return out;
  }
}
