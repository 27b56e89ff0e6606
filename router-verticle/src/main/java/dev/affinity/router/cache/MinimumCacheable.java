package dev.affinity.router.cache;

import java.util.List;
import java.util.OptionalInt;

/**
 * The smallest prompt prefix a model caches, in tokens. Shorter prefixes are processed without caching even when
 * marked, so pinning them would only spread load unevenly for nothing.
 *
 * <p>Known models by id prefix (after {@link ClaudeModel#canonicalId(String)}, so Bedrock and Vertex ids resolve),
 * {@value #DEFAULT} for the rest; a configured {@code model_info.min_cacheable_tokens} wins over the table.
 */
public final class MinimumCacheable {

  /** Most Claude models cache from 1024 tokens. */
  public static final int DEFAULT = 1024;

  private record Row(String idPrefix, int tokens) {
  }

  private static final List<Row> TABLE = List.of(
      new Row("claude-opus-4-6", 4096),
      new Row("claude-opus-4-5", 4096),
      new Row("claude-haiku-4-5", 4096),
      new Row("claude-3-5-haiku", 2048),
      new Row("claude-3-haiku", 2048),
      new Row("claude-haiku-3", 2048));

  private MinimumCacheable() {
  }

  /** The minimum for a model id as any provider spells it. */
  public static int tokens(String modelId) {
    String id = ClaudeModel.canonicalId(modelId);
    for (Row row : TABLE) {
      if (id.startsWith(row.idPrefix())) {
        return row.tokens();
      }
    }
    return DEFAULT;
  }

  /** The configured minimum if there is one, else the table's. */
  public static int tokens(String modelId, OptionalInt configured) {
    return configured.isPresent() ? configured.getAsInt() : tokens(modelId);
  }
}
