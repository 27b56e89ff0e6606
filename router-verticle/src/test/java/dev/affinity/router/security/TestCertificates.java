package dev.affinity.router.security;

import dev.affinity.router.node.EventBusTls;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate authority made for one test, in Java (BouncyCastle), writing PEM files as an operator's would be: the
 * CA's certificate and, per member, a certificate it signed and the member's key.
 */
final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final String name;
  private final KeyPair caKeys;
  private final X509CertificateHolder ca;
  private final Path caFile;

  TestCertificates(Path dir, String name) throws Exception {
    this.dir = dir;
    this.name = name;
    this.caKeys = rsa();
    X500Name subject = new X500Name("CN=" + name + " cluster CA");
    this.ca = new JcaX509v3CertificateBuilder(subject, serial(), notBefore(), notAfter(), subject, caKeys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate()));
    this.caFile = dir.resolve(name + "-ca.pem");
    Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()));
  }

  /** A member's certificate (for both ends of a connection) and key, signed by this CA, with the CA's file. */
  EventBusTls member(String member) throws Exception {
    KeyPair keys = rsa();
    X509CertificateHolder cert = sign(member, keys.getPublic());
    Path certFile = dir.resolve(name + "-" + member + ".pem");
    Path keyFile = dir.resolve(name + "-" + member + "-key.pem");
    Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    return new EventBusTls(certFile, keyFile, caFile);
  }

  private X509CertificateHolder sign(String member, PublicKey key) throws Exception {
    return new JcaX509v3CertificateBuilder(ca.getSubject(), serial(), notBefore(), notAfter(),
        new X500Name("CN=" + member), key)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate()));
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofMinutes(5)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + new String(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encode(der),
            StandardCharsets.US_ASCII)
        + "\n-----END " + type + "-----\n";
  }
}
