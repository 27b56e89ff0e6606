package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * How long a provider keeps a prompt-cache entry after its last use, as asked by a {@code cache_control} marker
 * ({@code {"type":"ephemeral"}} or {@code {"type":"ephemeral","ttl":"1h"}}). A pin lives exactly as long as the
 * provider entry it points at, so the pin map uses the same durations.
 */
public enum CacheTtl {

  FIVE_MINUTES("5m", Duration.ofMinutes(5)),
  ONE_HOUR("1h", Duration.ofHours(1));

  private final String wireValue;
  private final Duration duration;

  CacheTtl(String wireValue, Duration duration) {
    this.wireValue = wireValue;
    this.duration = duration;
  }

  public Duration duration() {
    return duration;
  }

  /** The {@code ttl} value of a marker: {@code "5m"} or {@code "1h"}. */
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

  /** The longer of two TTLs: a block marked twice is kept as long as its longest marker asks. */
  public static CacheTtl longer(CacheTtl a, CacheTtl b) {
    return a.duration.compareTo(b.duration) >= 0 ? a : b;
  }
}
