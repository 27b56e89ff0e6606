package dev.affinity.router.ingress;

import java.util.List;

/**
 * One page of {@code GET /v1/models}, as Anthropic's Models API pages: at most {@code limit} ids (1 to 1000) after
 * {@code after_id} or before {@code before_id}, and whether more follow. Without {@code limit} the page is every id,
 * as OpenAI's list (which does not page) must be.
 */
record ModelPage(List<String> ids, boolean hasMore) {

  static final int MAX_LIMIT = 1000;

  /**
   * @param sorted the ids in the list's order
   * @throws IllegalArgumentException for a limit that is not an integer from 1 to 1000, or both cursors at once
   */
  static ModelPage of(List<String> sorted, String limit, String afterId, String beforeId) {
    if (afterId != null && beforeId != null) {
      throw new IllegalArgumentException("after_id and before_id cannot be used together");
    }
    int size = sorted.size();
    if (limit != null) {
      try {
        size = Integer.parseInt(limit.trim());
      } catch (NumberFormatException notANumber) {
        size = 0;
      }
      if (size < 1 || size > MAX_LIMIT) {
        throw new IllegalArgumentException("limit: must be an integer from 1 to " + MAX_LIMIT);
      }
    }
    if (beforeId != null) {
      int end = Math.max(0, sorted.indexOf(beforeId));
      int start = Math.max(0, end - size);
      return new ModelPage(List.copyOf(sorted.subList(start, end)), start > 0);
    }
    int start = afterId == null ? 0 : sorted.indexOf(afterId) + 1;
    if (afterId != null && start == 0) {
      // an id that is not in the list has nothing after it that the caller has not seen
      return new ModelPage(List.of(), false);
    }
    int end = Math.min(sorted.size(), start + size);
    return new ModelPage(List.copyOf(sorted.subList(start, end)), end < sorted.size());
  }
}
