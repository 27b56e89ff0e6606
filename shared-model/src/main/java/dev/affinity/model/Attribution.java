package dev.affinity.model;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a request says it was made for, kept with its spend for LiteLLM's reports: the end user it was made on behalf
 * of (LiteLLM's {@code end_user}) and its tags (LiteLLM's {@code request_tags}). Bounded, whatever a client or the
 * cluster sends: the end user to its first {@value #MAX_CHARS} characters, at most {@value #MAX_TAGS} tags of at most
 * {@value #MAX_CHARS} characters each (the ingress refuses more, naming the limit; see docs/tenancy.md).
 *
 * @param endUser the end user, or null
 * @param tags    the tags, each once, in the order they were named
 */
public record Attribution(String endUser, List<String> tags) {

  public static final int MAX_TAGS = 32;
  public static final int MAX_CHARS = 256;
  public static final Attribution NONE = new Attribution(null, List.of());

  public Attribution {
    endUser = endUser == null || endUser.isEmpty() ? null
        : endUser.length() > MAX_CHARS ? endUser.substring(0, MAX_CHARS) : endUser;
    tags = tags == null ? List.of() : List.copyOf(tags);
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException("more than " + MAX_TAGS + " tags");
    }
    for (String tag : tags) {
      if (!fits(tag)) {
        throw new IllegalArgumentException("a tag must have 1 to " + MAX_CHARS + " characters");
      }
    }
  }

  private static boolean fits(String tag) {
    return !tag.isEmpty() && tag.length() <= MAX_CHARS;
  }

  /** The same, with {@code more} tags after these, each once, as many as the bound leaves room for. */
  public Attribution withTags(List<String> more) {
    if (more.isEmpty() || tags.size() >= MAX_TAGS) {
      return this;
    }
    LinkedHashSet<String> all = new LinkedHashSet<>(tags);
    for (String tag : more) {
      if (all.size() < MAX_TAGS && fits(tag)) {
        all.add(tag);
      }
    }
    return new Attribution(endUser, List.copyOf(all));
  }
}
