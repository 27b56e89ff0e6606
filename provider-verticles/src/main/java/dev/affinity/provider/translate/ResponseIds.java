package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The Responses API ids the gateway gives its clients: {@code resp_} and a URL-safe encoding of the deployment that
 * made the response and the upstream's own id. A stored response lives only at the account that made it, so a
 * follow-up that names it ({@code previous_response_id}), or a retrieve, delete, cancel or input-items list of it,
 * must go there; the id says where, and the gateway keeps no state for it (no cluster write per turn), as LiteLLM
 * does.
 *
 * <p>Layout, base64url without padding: a version byte ({@value #VERSION}), the deployment id's length in UTF-8 bytes
 * (two bytes, big-endian), the deployment id, then the upstream id. The encoding is not secret and not signed: a
 * client can read it and forge one, which at most sends its own request to a deployment of an alias it may call
 * (the router checks that), where an id of another account is not found (see docs/security.md).
 */
public final class ResponseIds {

  /** The request field that names a stored response to continue. */
  public static final String PREVIOUS_RESPONSE_ID = "previous_response_id";
  static final String PREFIX = "resp_";
  private static final byte VERSION = 1;
  /** Longer than any id this encodes (deployment ids and OpenAI's ids are short); bounds what is decoded. */
  private static final int MAX_ID_CHARS = 2_048;
  private static final int HEADER_BYTES = 3;

  /** Where a response the gateway relayed was made: the deployment, and the id the upstream gave it. */
  public record Origin(String deploymentId, String upstreamId) {
  }

  private ResponseIds() {
  }

  /** Whether a Responses API body continues a stored response (names a {@code previous_response_id}). */
  public static boolean continuesStored(JsonNode body) {
    return body != null && body.hasNonNull(PREVIOUS_RESPONSE_ID);
  }

  /** The id the client sees for the response {@code upstreamId} of deployment {@code deploymentId}. */
  public static String of(String deploymentId, String upstreamId) {
    byte[] deployment = deploymentId.getBytes(StandardCharsets.UTF_8);
    byte[] upstream = upstreamId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.allocate(HEADER_BYTES + deployment.length + upstream.length)
        .put(VERSION).putShort((short) deployment.length).put(deployment).put(upstream);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  /** Where the response of a client's id was made; empty when the id is not one the gateway gave. */
  public static Optional<Origin> origin(String id) {
    if (id == null || !id.startsWith(PREFIX) || id.length() > MAX_ID_CHARS) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(id.substring(PREFIX.length()));
    } catch (IllegalArgumentException notBase64) {
      return Optional.empty();
    }
    if (bytes.length < HEADER_BYTES || bytes[0] != VERSION) {
      return Optional.empty();
    }
    int deploymentLength = ((bytes[1] & 0xff) << 8) | (bytes[2] & 0xff);
    int upstreamLength = bytes.length - HEADER_BYTES - deploymentLength;
    if (deploymentLength == 0 || upstreamLength <= 0) {
      return Optional.empty();
    }
    try {
      String deployment = utf8(bytes, HEADER_BYTES, deploymentLength);
      String upstream = utf8(bytes, HEADER_BYTES + deploymentLength, upstreamLength);
      return upstream.isBlank() ? Optional.empty() : Optional.of(new Origin(deployment, upstream));
    } catch (CharacterCodingException notText) {
      return Optional.empty();
    }
  }

  /** Strict: bytes that are not UTF-8 are not an id this class wrote. */
  private static String utf8(byte[] bytes, int offset, int length) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes, offset, length))
        .toString();
  }
}
