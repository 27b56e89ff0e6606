package dev.affinity.model.config;

import java.util.Objects;

/**
 * Where the gateway adds a {@code cache_control} marker to requests that carry none (LiteLLM's
 * {@code cache_control_injection_points}): on the messages of one {@code role}, or on the message at {@code index}
 * (negative counts from the end). Exactly one of {@code role} and {@code index} is set.
 */
public record InjectionPoint(String location, String role, Integer index) {

  /** The only location supported: a message of the request. */
  public static final String MESSAGE = "message";

  public InjectionPoint {
    Objects.requireNonNull(location, "location");
    if ((role == null) == (index == null)) {
      throw new IllegalArgumentException("exactly one of role and index must be set");
    }
  }

  public static InjectionPoint forRole(String role) {
    return new InjectionPoint(MESSAGE, role, null);
  }

  public static InjectionPoint atIndex(int index) {
    return new InjectionPoint(MESSAGE, null, index);
  }
}
