package dev.affinity.router.tenancy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LiteLLM's {@code DATABASE_URL} (Prisma's URL) in the PostgreSQL driver's terms. */
class DatabaseUrlTest {

  @Test
  void prismaArgumentsBecomeTheDriversAndThePoolsAreDropped() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://app:p%40ss%3Aword@db.example:6543/litellm?schema=lite"
        + "&connection_limit=10&pool_timeout=20&connect_timeout=7&socket_timeout=30&pgbouncer=true"
        + "&statement_cache_size=0&application_name=gw&sslmode=prefer&sslcert=ca.pem&sslidentity=me.p12"
        + "&sslpassword=x%26y");
    assertThat(url.jdbc()).isEqualTo("jdbc:postgresql://db.example:6543/litellm?currentSchema=lite&connectTimeout=7"
        + "&socketTimeout=30&ApplicationName=gw&sslrootcert=ca.pem&sslkey=me.p12&sslmode=prefer&sslpassword=x%26y");
    assertThat(url.credentials().getProperty("user")).isEqualTo("app");
    assertThat(url.credentials().getProperty("password")).isEqualTo("p@ss:word");
    assertThat(url.description()).isEqualTo("PostgreSQL at db.example:6543/litellm").doesNotContain("p%40ss");
  }

  @Test
  void prismasStrictCertificateCheckIsTheDriversVerifyFull() {
    assertThat(DatabaseUrl.parse("postgresql://u@db/x?sslmode=require&sslaccept=strict").jdbc())
        .isEqualTo("jdbc:postgresql://db/x?sslmode=verify-full");
    // Prisma's default accepts any certificate, as the driver's require does
    assertThat(DatabaseUrl.parse("postgresql://u@db/x?sslmode=require").jdbc())
        .isEqualTo("jdbc:postgresql://db/x?sslmode=require");
    assertThat(DatabaseUrl.parse("postgresql://u@db/x?sslmode=require&sslaccept=accept_invalid_certs").jdbc())
        .isEqualTo("jdbc:postgresql://db/x?sslmode=require");
  }

  @Test
  void theDriversOwnArgumentsPassAndWinOverPrismas() {
    assertThat(DatabaseUrl.parse("postgres://u@db:5432/x?schema=a&currentSchema=b&ssl=true").jdbc())
        .isEqualTo("jdbc:postgresql://db:5432/x?currentSchema=b&ssl=true");
    assertThat(DatabaseUrl.parse("postgresql://u@db/x").jdbc()).isEqualTo("jdbc:postgresql://db/x");
  }

  @Test
  void jdbcUrlsAreTakenAsTheyAre() {
    DatabaseUrl url = DatabaseUrl.parse(" jdbc:postgresql://db:5432/x?user=u&password=secret&schema=a ");
    assertThat(url.jdbc()).isEqualTo("jdbc:postgresql://db:5432/x?user=u&password=secret&schema=a");
    assertThat(url.credentials()).isEmpty();
    assertThat(url.description()).isEqualTo("PostgreSQL at postgresql://db:5432/x").doesNotContain("secret");
  }

  @Test
  void otherUrlsAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://x@y/z")).hasMessageContaining("general_settings.database_url");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://bad host/z"))
        .hasMessageContaining("general_settings.database_url");
  }
}
