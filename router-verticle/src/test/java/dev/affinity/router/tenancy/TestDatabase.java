package dev.affinity.router.tenancy;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh PostgreSQL database for one test class, made on the server this machine runs (127.0.0.1:5432, trust
 * auth; CI's machine has it) and dropped after, so runs never share tables. Where no server answers the tests that
 * need it are skipped, saying so; under {@code CI=true} they fail instead, because CI must run them.
 * {@code AFFINITY_TEST_POSTGRES} points elsewhere: a JDBC URL of the server's {@code postgres} database, as
 * {@code jdbc:postgresql://host:5432/postgres?user=NAME&password=SECRET}.
 */
public final class TestDatabase implements AutoCloseable {

  static final String SERVER = System.getenv().getOrDefault("AFFINITY_TEST_POSTGRES", "");
  private static final List<String> USERS = List.of("postgres", "root");

  private final String admin;
  private final String name;
  private final String url;

  private TestDatabase(String admin, String name, String url) {
    this.admin = admin;
    this.name = name;
    this.url = url;
  }

  /** Creates the database, or skips (fails under CI=true) when no PostgreSQL answers. */
  public static TestDatabase create() {
    SQLException last = null;
    for (String adminUrl : adminUrls()) {
      try (Connection db = DriverManager.getConnection(adminUrl); Statement statement = db.createStatement()) {
        String name = "affinity_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)
            .toLowerCase(Locale.ROOT);
        statement.execute("CREATE DATABASE " + name);
        String base = adminUrl.substring(0, adminUrl.indexOf("/postgres?"));
        String query = adminUrl.substring(adminUrl.indexOf('?'));
        return new TestDatabase(adminUrl, name, base + "/" + name + query);
      } catch (SQLException unavailable) {
        last = unavailable;
      }
    }
    String need = "needs PostgreSQL at 127.0.0.1:5432 with trust auth for user postgres or root (or"
        + " AFFINITY_TEST_POSTGRES): " + (last == null ? "" : last.getMessage());
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and these tests must not be skipped: " + need, last);
    }
    Assumptions.abort(need);
    return null;
  }

  private static List<String> adminUrls() {
    if (!SERVER.isBlank()) {
      return List.of(SERVER);
    }
    return USERS.stream().map(user -> "jdbc:postgresql://127.0.0.1:5432/postgres?user=" + user
        + "&connectTimeout=3").toList();
  }

  /** The JDBC URL of the fresh database: the form {@code database_url} also accepts. */
  public String url() {
    return url;
  }

  public String name() {
    return name;
  }

  @Override
  public void close() throws SQLException {
    try (Connection db = DriverManager.getConnection(admin); Statement statement = db.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
