package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A failure the emulator plays on the next {@code count} {@code POST /v1/messages} or
 * {@code POST /v1/chat/completions} requests of one account (or of every account when {@code account} is null), in
 * the error shape of the API asked.
 *
 * <pre>{@code
 * emulator.injectFault(Fault.status(529).forAccount("acct-1"));
 * emulator.injectFault(Fault.status(429).retryAfter(Duration.ofSeconds(2)).times(3));
 * emulator.injectFault(Fault.stallMidStream().forAccount("acct-2").times(Fault.UNTIL_CLEARED));
 * }</pre>
 *
 * @param status the HTTP status of a {@link Type#STATUS} fault, answered in the API's error shape
 * @param retryAfter sent as {@code retry-after} (whole seconds, rounded up) when not null
 * @param count how many requests get it; {@link #UNTIL_CLEARED} for every request until faults are cleared
 */
public record Fault(String account, Type type, int status, Duration retryAfter, int count) {

  public static final int UNTIL_CLEARED = -1;

  /** What happens to a request that gets the fault. */
  public enum Type {
    /** Answer an error status in the API's error shape. */
    STATUS,
    /** Close the connection before any response. */
    RESET,
    /** Never answer. */
    STALL,
    /** Begin the answer (headers and, when streaming, the first event or chunk), then go silent. */
    STALL_MID_STREAM;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Type fromWire(String wire) {
      for (Type type : values()) {
        if (type.wire().equals(wire)) {
          return type;
        }
      }
      throw new IllegalArgumentException("type must be one of status, reset, stall, stall_mid_stream");
    }
  }

  public Fault {
    Objects.requireNonNull(type, "type");
    if (type == Type.STATUS && (status < 400 || status > 599)) {
      throw new IllegalArgumentException("a status fault needs a status between 400 and 599");
    }
    if (count < 1 && count != UNTIL_CLEARED) {
      throw new IllegalArgumentException("count must be at least 1, or UNTIL_CLEARED");
    }
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative");
    }
  }

  public static Fault status(int status) {
    return new Fault(null, Type.STATUS, status, null, 1);
  }

  public static Fault reset() {
    return new Fault(null, Type.RESET, 0, null, 1);
  }

  public static Fault stall() {
    return new Fault(null, Type.STALL, 0, null, 1);
  }

  public static Fault stallMidStream() {
    return new Fault(null, Type.STALL_MID_STREAM, 0, null, 1);
  }

  public Fault forAccount(String account) {
    return new Fault(account, type, status, retryAfter, count);
  }

  public Fault retryAfter(Duration retryAfter) {
    return new Fault(account, type, status, retryAfter, count);
  }

  public Fault times(int count) {
    return new Fault(account, type, status, retryAfter, count);
  }

  /** Reads the admin API's shape: {@code {"account":..,"type":..,"status":..,"retry_after":..,"count":..}}. */
  static Fault fromJson(JsonObject json) {
    if (!(json.getValue("type") instanceof String type)) {
      throw new IllegalArgumentException("type is required: status, reset, stall or stall_mid_stream");
    }
    Object account = json.getValue("account");
    if (account != null && !(account instanceof String)) {
      throw new IllegalArgumentException("account must be a string");
    }
    Duration retryAfter = json.getValue("retry_after") instanceof Number seconds
        ? Duration.ofMillis(Math.round(seconds.doubleValue() * 1000)) : null;
    return new Fault((String) account, Type.fromWire(type), integer(json, "status", 0), retryAfter,
        integer(json, "count", 1));
  }

  private static int integer(JsonObject json, String field, int absent) {
    Object value = json.getValue(field);
    if (value == null) {
      return absent;
    }
    if (value instanceof Integer number) {
      return number;
    }
    throw new IllegalArgumentException(field + " must be an integer");
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("account", account).put("type", type.wire()).put("count", count);
    if (type == Type.STATUS) {
      json.put("status", status);
    }
    if (retryAfter != null) {
      json.put("retry_after", retryAfter.toMillis() / 1000.0);
    }
    return json;
  }
}
