package dev.affinity.router.tenancy;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * {@code general_settings.database_url} as the PostgreSQL JDBC driver takes it. A JDBC URL ({@code jdbc:postgresql:})
 * is used as it is. LiteLLM's form, Prisma's connection URL ({@code postgresql://user:password@host:port/db?...}, also
 * {@code postgres://}), keeps Prisma's meaning: the credentials leave the URL (so that it can be named in logs), and
 * Prisma's arguments become the driver's ({@link #PRISMA_TO_JDBC}); those of Prisma's own pool are dropped (the store
 * holds one connection); the driver's own arguments pass as they are.
 *
 * @param jdbc        the driver's URL, without credentials when they came in the user part
 * @param credentials {@code user} and {@code password}, decoded
 * @param description where the store is, for logs: host, port and database, never credentials or arguments
 */
record DatabaseUrl(String jdbc, Properties credentials, String description) {

  /** Prisma's arguments that the driver has under another name (same units: seconds, paths). */
  static final Map<String, String> PRISMA_TO_JDBC = Map.of(
      "schema", "currentSchema",
      "connect_timeout", "connectTimeout",
      "socket_timeout", "socketTimeout",
      "application_name", "ApplicationName",
      // Prisma's sslcert is the server's (CA) certificate, the driver's the client's
      "sslcert", "sslrootcert",
      "sslidentity", "sslkey");

  /**
   * Prisma's arguments the driver does not take: its pool and statement cache (no meaning for the store's one
   * connection), and {@code sslaccept}, read into {@code sslmode} ({@link #jdbcQuery}).
   */
  static final Set<String> PRISMA_ONLY = Set.of("connection_limit", "pool_timeout", "pgbouncer",
      "statement_cache_size", "sslaccept");

  static DatabaseUrl parse(String databaseUrl) {
    String trimmed = databaseUrl.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(trimmed, new Properties(), "PostgreSQL at " + withoutQuery(trimmed.substring(5)));
    }
    URI uri;
    try {
      uri = URI.create(trimmed);
    } catch (IllegalArgumentException malformed) {
      throw new IllegalArgumentException("general_settings.database_url is not a URL: expected"
          + " postgresql://user:password@host:port/database");
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("general_settings.database_url must be postgresql://user:password@host:port"
          + "/database (or jdbc:postgresql://...)");
    }
    Properties credentials = new Properties();
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      credentials.setProperty("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
      if (colon >= 0) {
        credentials.setProperty("password", decode(userInfo.substring(colon + 1)));
      }
    }
    String hostPort = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    String query = jdbcQuery(uri.getRawQuery());
    String jdbc = "jdbc:postgresql://" + hostPort + (uri.getRawPath() == null ? "/" : uri.getRawPath())
        + (query.isEmpty() ? "" : "?" + query);
    return new DatabaseUrl(jdbc, credentials, "PostgreSQL at " + hostPort + uri.getPath());
  }

  /**
   * Prisma's arguments in the driver's terms, values still encoded. {@code sslaccept=strict} (Prisma checks the
   * server's certificate and name) makes {@code sslmode=require} the driver's {@code verify-full}; Prisma's default,
   * {@code accept_invalid_certs}, is the driver's {@code require}. A driver argument given too wins over Prisma's.
   */
  private static String jdbcQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    Map<String, String> prisma = new LinkedHashMap<>();
    Map<String, String> driver = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      if (PRISMA_TO_JDBC.containsKey(name) || PRISMA_ONLY.contains(name)) {
        prisma.put(name, value);
      } else {
        driver.put(name, value);
      }
    }
    boolean strict = "strict".equals(decode(prisma.getOrDefault("sslaccept", "")));
    if (strict && "require".equals(decode(driver.getOrDefault("sslmode", "")).toLowerCase(Locale.ROOT))) {
      driver.put("sslmode", "verify-full");
    }
    Map<String, String> out = new LinkedHashMap<>();
    prisma.forEach((name, value) -> {
      String renamed = PRISMA_TO_JDBC.get(name);
      if (renamed != null) {
        out.put(renamed, value);
      }
    });
    out.putAll(driver);
    List<String> pairs = new ArrayList<>();
    out.forEach((name, value) -> pairs.add(name + "=" + value));
    return String.join("&", pairs);
  }

  private static String decode(String part) {
    return URLDecoder.decode(part, StandardCharsets.UTF_8);
  }

  private static String withoutQuery(String url) {
    int query = url.indexOf('?');
    String noQuery = query < 0 ? url : url.substring(0, query);
    int at = noQuery.indexOf('@');
    return at < 0 ? noQuery : "//" + noQuery.substring(at + 1);
  }
}
