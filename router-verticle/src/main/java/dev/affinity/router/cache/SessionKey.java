package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The session a request belongs to, when the client says: Claude Code's {@code x-claude-code-session-id} header, the
 * session inside {@code metadata.user_id} (Claude Code sends {@code user_<hash>_account_<uuid>_session_<uuid>}, and
 * in newer versions a JSON object as a string, {@code {"device_id":...,"account_uuid":...,"session_id":...}}), or
 * OpenAI's {@code prompt_cache_key}, in that order. Its pin keeps the session on its deployment even when its prompt
 * has no breakpoint, and tells an existing session from a new one for balance (see {@link AffinityDecision#place}).
 *
 * <p>The pin key is {@code SHA-256("affinity/session/v1" ‖ 0 ‖ length(scope) ‖ scope ‖ id)} in the form of prefix
 * keys: scoped by tenant and alias (the scope seed), and a scheme of its own so that it never names a prefix.
 */
public final class SessionKey {

  /** Claude Code's session header (lower case, as the ingress keeps header names). */
  public static final String HEADER = "x-claude-code-session-id";
  /** Longer ids are not sessions a client made up honestly; they are ignored rather than hashed. */
  static final int MAX_ID_LENGTH = 256;

  private static final String SCHEME = "affinity/session/v1";
  private static final String USER_ID_MARK = "_session_";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SessionKey() {
  }

  /** The session id the client sent, if any. */
  public static Optional<String> of(JsonNode request, Map<String, String> headers) {
    String header = headers == null ? null : headers.get(HEADER);
    if (usable(header)) {
      return Optional.of(header);
    }
    JsonNode userId = request == null ? null : request.path("metadata").get("user_id");
    if (userId != null && userId.isTextual()) {
      Optional<String> session = inUserId(userId.textValue());
      if (session.isPresent()) {
        return session;
      }
    }
    return PromptCacheKey.of(request).filter(SessionKey::usable);
  }

  /** The session named in a {@code metadata.user_id} of either of Claude Code's forms. */
  private static Optional<String> inUserId(String text) {
    if (text.startsWith("{")) {
      if (text.length() > 4 * MAX_ID_LENGTH) {
        return Optional.empty();
      }
      try {
        JsonNode session = JSON.readTree(text).path("session_id");
        return session.isTextual() && usable(session.textValue()) ? Optional.of(session.textValue()) : Optional.empty();
      } catch (IOException notJson) {
        return Optional.empty();
      }
    }
    int mark = text.lastIndexOf(USER_ID_MARK);
    String id = mark < 0 ? null : text.substring(mark + USER_ID_MARK.length());
    return usable(id) ? Optional.of(id) : Optional.empty();
  }

  private static boolean usable(String id) {
    return id != null && !id.isBlank() && id.length() <= MAX_ID_LENGTH;
  }

  /** The pin-map key of session {@code id} in a cache scope (tenant namespace and alias). */
  public static String pinKey(String scopeSeed, String id) {
    return PromptCacheKey.scopedKey(SCHEME, scopeSeed, id);
  }
}
