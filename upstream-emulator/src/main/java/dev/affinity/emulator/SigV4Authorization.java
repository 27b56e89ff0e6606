package dev.affinity.emulator;

import java.util.Arrays;
import java.util.List;

/**
 * The parsed {@code Authorization} header of a SigV4-signed request:
 * {@code AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date,
 * Signature=hex}.
 *
 * @param date the credential scope's date, {@code yyyyMMdd}
 * @param signedHeaders lower-case header names, in the order the client listed them
 */
record SigV4Authorization(String accessKeyId, String date, String region, String service,
    List<String> signedHeaders, String signature) {

  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String TERMINATOR = "aws4_request";

  /** The credential scope the signature covers: {@code date/region/service/aws4_request}. */
  String scope() {
    return date + "/" + region + "/" + service + "/" + TERMINATOR;
  }

  String signedHeaderList() {
    return String.join(";", signedHeaders);
  }

  /**
   * Parses an {@code Authorization} header.
   *
   * @throws BedrockError {@code IncompleteSignatureException} when it is not a well-formed SigV4 header, as AWS answers
   */
  static SigV4Authorization parse(String header) {
    String trimmed = header.trim();
    int space = trimmed.indexOf(' ');
    String algorithm = space < 0 ? trimmed : trimmed.substring(0, space);
    if (!algorithm.equals(ALGORITHM)) {
      throw BedrockError.incompleteSignature("Unsupported AWS 'algorithm': '" + algorithm + "'.");
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : trimmed.substring(space + 1).split(",")) {
      String parameter = part.trim();
      int equals = parameter.indexOf('=');
      if (equals <= 0) {
        continue;
      }
      String value = parameter.substring(equals + 1).trim();
      switch (parameter.substring(0, equals).trim()) {
        case "Credential" -> credential = value;
        case "SignedHeaders" -> signedHeaders = value;
        case "Signature" -> signature = value;
        default -> {
          // AWS ignores parameters it does not know.
        }
      }
    }
    StringBuilder missing = new StringBuilder();
    requireParameter(missing, "Credential", credential);
    requireParameter(missing, "Signature", signature);
    requireParameter(missing, "SignedHeaders", signedHeaders);
    if (!missing.isEmpty()) {
      throw BedrockError.incompleteSignature(missing.toString().trim());
    }
    String[] scope = credential.split("/", -1);
    if (scope.length != 5 || Arrays.stream(scope).anyMatch(String::isEmpty)) {
      throw BedrockError.incompleteSignature("Credential should be of the form"
          + " 'ACCESS_KEY_ID/yyyyMMdd/region/service/aws4_request'.");
    }
    if (!scope[4].equals(TERMINATOR)) {
      throw BedrockError.incompleteSignature("Credential should be scoped with a valid terminator: '"
          + TERMINATOR + "', not '" + scope[4] + "'.");
    }
    List<String> headers = Arrays.stream(signedHeaders.split(";")).map(String::trim).toList();
    return new SigV4Authorization(scope[0], scope[1], scope[2], scope[3], headers, signature);
  }

  private static void requireParameter(StringBuilder missing, String name, String value) {
    if (value == null || value.isEmpty()) {
      missing.append("Authorization header requires '").append(name).append("' parameter. ");
    }
  }
}
