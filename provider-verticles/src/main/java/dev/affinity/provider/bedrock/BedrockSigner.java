package dev.affinity.provider.bedrock;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Signs Bedrock requests with AWS Signature Version 4 for service {@code bedrock}, over the host actually called
 * (endpoint overrides included) and the exact body bytes. The request itself is sent by Vert.x: only the headers the
 * signature adds ({@code Authorization}, {@code X-Amz-Date}, {@code X-Amz-Security-Token} for session credentials)
 * are taken from the SDK. Pure computation, cheap enough for the event loop (one SHA-256 over the body).
 */
final class BedrockSigner {

  static final String SERVICE = "bedrock";

  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final Clock clock;

  BedrockSigner(Clock clock) {
    this.clock = clock;
  }

  /**
   * The headers to add to a POST of {@code body} to {@code uri} with {@code headers} (which are signed too), for
   * {@code region}. Host is signed as Vert.x sends it: the URI's host, with the port when it is not the default.
   */
  Map<String, String> sign(URI uri, Map<String, String> headers, byte[] body, AwsCredentialsIdentity credentials,
                           String region) {
    SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri);
    headers.forEach(request::putHeader);
    SignedRequest signed = signer.sign(r -> r.identity(credentials)
        .request(request.build())
        .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SERVICE)
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
    Map<String, String> added = new LinkedHashMap<>();
    signed.request().headers().forEach((name, values) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      // Vert.x writes Host itself from the same URI; the others were given by the caller
      if (!lower.equals("host") && !headers.containsKey(lower)) {
        added.put(lower, String.join(",", values));
      }
    });
    return added;
  }
}
