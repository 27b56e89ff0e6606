package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A request as the emulator received it, kept so tests can prove what a gateway forwarded.
 *
 * @param uri path and query exactly as received, e.g. {@code /v1/messages?beta=true}
 * @param headers header names lower-cased, in arrival order, repeated values joined with {@code ", "}; the
 *     credentials ({@code x-api-key}, {@code authorization}, {@code x-amz-security-token}) are replaced by
 *     {@value #REDACTED}
 * @param body the raw body, decoded as UTF-8 and otherwise untouched
 * @param receivedAt on the emulator's clock
 */
public record CapturedRequest(String method, String uri, Map<String, String> headers, String body,
    Instant receivedAt) {

  public static final String REDACTED = "REDACTED";

  public CapturedRequest {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** A header's value, by case-insensitive name, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  static Map<String, String> redacted(Iterable<Map.Entry<String, String>> received) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : received) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      String value = isCredential(name) ? REDACTED : header.getValue();
      headers.merge(name, value, (first, next) -> first + ", " + next);
    }
    return headers;
  }

  private static boolean isCredential(String name) {
    return name.equals("x-api-key") || name.equals("api-key") || name.equals("authorization")
        || name.equals("proxy-authorization")
        || name.equals("x-amz-security-token");
  }

  JsonObject toJson() {
    JsonObject headerJson = new JsonObject();
    headers.forEach(headerJson::put);
    return new JsonObject()
        .put("method", method)
        .put("uri", uri)
        .put("headers", headerJson)
        .put("body", body)
        .put("received_at", receivedAt.toString());
  }
}
