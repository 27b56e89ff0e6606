package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * How long a provider keeps a prompt-cache entry after its last use, as asked by a {@code cache_control} marker
 * ({@code {"type":"ephemeral"}} or {@code {"type":"ephemeral","ttl":"1h"}}) or, for providers that cache
 * automatically, by OpenAI's {@code prompt_cache_retention}. A pin lives exactly as long as the provider entry it
 * points at, so the pin map uses the same durations.
 */
public enum CacheTtl {

  FIVE_MINUTES("5m", Duration.ofMinutes(5)),
  ONE_HOUR("1h", Duration.ofHours(1)),
  /** OpenAI's extended retention ({@code "prompt_cache_retention":"24h"}); never asked for by a marker. */
  TWENTY_FOUR_HOURS("24h", Duration.ofHours(24));

  private static final String RETENTION_FIELD = "prompt_cache_retention";

  private final String wireValue;
  private final Duration duration;

  CacheTtl(String wireValue, Duration duration) {
    this.wireValue = wireValue;
    this.duration = duration;
  }

  public Duration duration() {
    return duration;
  }

  /** The wire spelling: a marker's {@code ttl} ({@code "5m"}, {@code "1h"}) or a retention ({@code "24h"}). */
  public String wireValue() {
    return wireValue;
  }

  /**
   * The TTL a marker asks for. A marker without {@code ttl} (or with one the provider would reject) is the 5-minute
   * default: pinning for less time than the provider caches only costs a miss, pinning for longer would route to a
   * deployment whose entry is gone.
   */
  public static CacheTtl ofMarker(JsonNode marker) {
    JsonNode ttl = marker == null ? null : marker.get("ttl");
    return ttl != null && ttl.isTextual() && ONE_HOUR.wireValue.equals(ttl.textValue()) ? ONE_HOUR : FIVE_MINUTES;
  }

  /**
   * The TTL of a request to a provider that caches automatically: {@code "prompt_cache_retention":"24h"} keeps
   * prefixes up to a day; anything else ({@code "in_memory"}, absent, unknown) is the in-memory cache, which OpenAI
   * clears after 5 to 10 minutes of inactivity, so the shorter bound.
   */
  public static CacheTtl ofRetention(JsonNode request) {
    JsonNode retention = request == null ? null : request.get(RETENTION_FIELD);
    return retention != null && retention.isTextual() && TWENTY_FOUR_HOURS.wireValue.equals(retention.textValue())
        ? TWENTY_FOUR_HOURS : FIVE_MINUTES;
  }

  /** The longer of two TTLs: a block marked twice is kept as long as its longest marker asks. */
  public static CacheTtl longer(CacheTtl a, CacheTtl b) {
    return a.duration.compareTo(b.duration) >= 0 ? a : b;
  }
}
