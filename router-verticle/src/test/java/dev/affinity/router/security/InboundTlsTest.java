package dev.affinity.router.security;

import dev.affinity.router.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 12 finding 10: a node could not serve TLS itself. With tls_cert_file and tls_key_file it does. */
class InboundTlsTest {

  @Test
  @Timeout(120)
  void withACertificateAndKeyTheNodeServesHttps(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl;
    try {
      openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
          "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.toString(), "-out", cert.toString())
          .redirectErrorStream(true).start();
    } catch (java.io.IOException absent) {
      assumeTrue(false, "openssl is not installed: cannot make a test certificate");
      return;
    }
    assumeTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl failed");
    try (TestGateway gateway = TestGateway.start("""
        server_settings: {tls_cert_file: "%s", tls_key_file: "%s"}
        model_list:
          - model_name: m
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-x, api_base: "http://127.0.0.1:9"}
        """.formatted(cert, key))) {
      SSLContext trustAll = SSLContext.getInstance("TLS");
      trustAll.init(null, new TrustManager[] {new X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] chain, String type) {
        }

        public void checkServerTrusted(X509Certificate[] chain, String type) {
        }

        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      HttpClient https = HttpClient.newBuilder().sslContext(trustAll).build();
      HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
          + gateway.node().port() + "/health/liveliness")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.sslSession()).isPresent();
    }
  }
}
