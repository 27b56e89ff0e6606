package dev.affinity.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 the way AWS does for a non-S3 service: recompute the canonical request from what
 * was received (the path segments URI-encoded a second time, the query sorted, the signed headers trimmed, the
 * payload hash), the string to sign over the credential scope, and the signature with the key derived from the
 * account's secret; then compare. Also enforces AWS's 5-minute window around the request date.
 */
final class SigV4Verifier {

  /** How far the request date may be from now, either way. */
  static final Duration MAX_SKEW = Duration.ofMinutes(5);
  static final String SERVICE = "bedrock";
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  private SigV4Verifier() {
  }

  /**
   * What was received, as it was on the wire.
   *
   * @param rawPath the path still percent-encoded, e.g. {@code /model/us.anthropic.claude-sonnet-4-5-v1%3A0/invoke}
   * @param rawQuery the query string still percent-encoded, or null
   * @param host the {@code Host} header (HTTP/1.1) or {@code :authority} (HTTP/2) as received
   */
  record Received(String method, String rawPath, String rawQuery, String host, MultiMap headers, Buffer body) {
  }

  /**
   * @throws BedrockError {@code InvalidSignatureException} or {@code IncompleteSignatureException}, with AWS's
   *     messages, when the request is not validly signed by {@code credentials} at about {@code now}
   */
  static void verify(Received request, SigV4Authorization authorization, AwsCredentials credentials, Instant now) {
    if (!authorization.service().equals(SERVICE)) {
      throw BedrockError.invalidSignature("Credential should be scoped to correct service: '" + SERVICE + "'. ");
    }
    if (!authorization.signedHeaders().contains("host")) {
      throw BedrockError.incompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS"
          + " Authorization.");
    }
    String amzDate = request.headers().get("x-amz-date");
    if (amzDate == null) {
      throw BedrockError.incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or"
          + " a 'Date' header.");
    }
    Instant signedAt;
    try {
      signedAt = AMZ_DATE.parse(amzDate, Instant::from);
    } catch (DateTimeParseException e) {
      throw BedrockError.incompleteSignature("Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'.");
    }
    if (!amzDate.startsWith(authorization.date())) {
      throw BedrockError.invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of"
          + " date from HTTP: '" + authorization.date() + "' != '" + amzDate.substring(0, 8) + "', from '" + amzDate
          + "'.");
    }
    checkFreshness(amzDate, signedAt, now);
    String payloadHash = payloadHash(request);
    String canonicalRequest = canonicalRequest(request, authorization, payloadHash);
    String stringToSign = SigV4Authorization.ALGORITHM + "\n" + amzDate + "\n" + authorization.scope() + "\n"
        + HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] expected = hmac(signingKey(credentials.secretAccessKey(), authorization), stringToSign);
    byte[] provided;
    try {
      provided = HEX.parseHex(authorization.signature());
    } catch (IllegalArgumentException e) {
      provided = new byte[0];
    }
    if (!MessageDigest.isEqual(expected, provided)) {
      throw BedrockError.invalidSignature(BedrockError.INVALID_SIGNATURE);
    }
  }

  private static void checkFreshness(String amzDate, Instant signedAt, Instant now) {
    if (signedAt.isBefore(now.minus(MAX_SKEW))) {
      throw BedrockError.invalidSignature("Signature expired: " + amzDate + " is now earlier than "
          + AMZ_DATE.format(now.minus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " - 5 min.)");
    }
    if (signedAt.isAfter(now.plus(MAX_SKEW))) {
      throw BedrockError.invalidSignature("Signature not yet current: " + amzDate + " is still later than "
          + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " + 5 min.)");
    }
  }

  /**
   * {@code x-amz-content-sha256} when the client sent one (it must then be the body's hash, or
   * {@code UNSIGNED-PAYLOAD}), else the hash of the body received.
   */
  private static String payloadHash(Received request) {
    String computed = HEX.formatHex(sha256(request.body().getBytes()));
    String declared = request.headers().get("x-amz-content-sha256");
    if (declared == null) {
      return computed;
    }
    if (!declared.equals(UNSIGNED_PAYLOAD) && !declared.equalsIgnoreCase(computed)) {
      throw BedrockError.invalidSignature("The provided 'x-amz-content-sha256' header does not match what was"
          + " computed.");
    }
    return declared;
  }

  static String canonicalRequest(Received request, SigV4Authorization authorization, String payloadHash) {
    StringBuilder canonical = new StringBuilder()
        .append(request.method()).append('\n')
        .append(canonicalUri(request.rawPath())).append('\n')
        .append(canonicalQuery(request.rawQuery())).append('\n');
    for (String name : authorization.signedHeaders()) {
      // Vert.x serves the host as the request's authority, not among the headers.
      List<String> values = name.equals("host") ? List.of(request.host()) : request.headers().getAll(name);
      canonical.append(name).append(':').append(canonicalHeaderValue(values)).append('\n');
    }
    return canonical.append('\n')
        .append(authorization.signedHeaderList()).append('\n')
        .append(payloadHash)
        .toString();
  }

  /**
   * Services other than S3 sign the path as it was sent, URI-encoded once more: {@code %3A} in a model id is signed
   * as {@code %253A}.
   */
  static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    return uriEncode(rawPath, false);
  }

  /** Parameters decoded, re-encoded the AWS way, sorted by name then value; {@code name=} for an empty value. */
  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> parameters = new ArrayList<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      parameters.add(new String[] {uriEncode(percentDecode(name), true), uriEncode(percentDecode(value), true)});
    }
    parameters.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    List<String> joined = new ArrayList<>(parameters.size());
    for (String[] parameter : parameters) {
      joined.add(parameter[0] + "=" + parameter[1]);
    }
    return String.join("&", joined);
  }

  /** Values trimmed, inner runs of spaces collapsed, repeated headers joined with commas. */
  private static String canonicalHeaderValue(List<String> values) {
    List<String> trimmed = new ArrayList<>(values.size());
    for (String value : values) {
      trimmed.add(value.trim().replaceAll(" +", " "));
    }
    return String.join(",", trimmed);
  }

  /** RFC 3986 encoding as SigV4 defines it: unreserved characters kept, everything else {@code %XX} of UTF-8. */
  static String uriEncode(String value, boolean encodeSlash) {
    StringBuilder encoded = new StringBuilder(value.length() + 16);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~';
      if (unreserved || (c == '/' && !encodeSlash)) {
        encoded.append(c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return encoded.toString();
  }

  /** Percent-decoding only: unlike form decoding, a {@code +} stays a {@code +}. */
  static String percentDecode(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length()) {
        int high = Character.digit(value.charAt(i + 1), 16);
        int low = Character.digit(value.charAt(i + 2), 16);
        if (high >= 0 && low >= 0) {
          bytes.write(high << 4 | low);
          i += 2;
          continue;
        }
      }
      byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      bytes.write(raw, 0, raw.length);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static byte[] signingKey(String secret, SigV4Authorization authorization) {
    byte[] dateKey = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), authorization.date());
    byte[] regionKey = hmac(dateKey, authorization.region());
    byte[] serviceKey = hmac(regionKey, authorization.service());
    return hmac(serviceKey, SigV4Authorization.TERMINATOR);
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
