package dev.affinity.emulator;

import java.time.Duration;

/** The two lifetimes of a prompt cache entry Anthropic offers. */
enum CacheTtl {
  FIVE_MINUTES("5m", Duration.ofMinutes(5)),
  ONE_HOUR("1h", Duration.ofHours(1));

  private final String wire;
  private final Duration duration;

  CacheTtl(String wire, Duration duration) {
    this.wire = wire;
    this.duration = duration;
  }

  Duration duration() {
    return duration;
  }

  String wire() {
    return wire;
  }

  static CacheTtl longer(CacheTtl a, CacheTtl b) {
    return a == ONE_HOUR || b == ONE_HOUR ? ONE_HOUR : FIVE_MINUTES;
  }
}
