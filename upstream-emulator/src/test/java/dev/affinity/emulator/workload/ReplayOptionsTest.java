package dev.affinity.emulator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReplayOptionsTest {

  @Test
  void defaultsApplyWhenOnlyTheRequiredOptionsAreGiven() {
    ReplayOptions options = ReplayOptions.parse("--base-url", "http://localhost:8080/", "--api-key", "sk-secret",
        "--model", "sonnet");
    assertThat(options.tenants()).isEqualTo(3);
    assertThat(options.sessionsPerTenant()).isEqualTo(4);
    assertThat(options.turns()).isEqualTo(8);
    assertThat(options.seed()).isEqualTo(42);
    assertThat(options.concurrency()).isEqualTo(4);
    assertThat(options.stream()).isFalse();
    assertThat(options.comparing()).isFalse();
    assertThat(options.messagesUri()).isEqualTo(URI.create("http://localhost:8080/v1/messages?beta=true"));
  }

  @Test
  void everyOptionIsRead() {
    ReplayOptions options = ReplayOptions.parse("--base-url=https://gw.example:8443", "--api-key", "k",
        "--model", "m", "--tenants", "2", "--sessions", "5", "--turns", "3", "--seed", "-9", "--stream",
        "--label", "affinity", "--summary-out", "out/a.json", "--quiet", "--concurrency", "8");
    assertThat(options).extracting(ReplayOptions::tenants, ReplayOptions::sessionsPerTenant, ReplayOptions::turns,
            ReplayOptions::seed, ReplayOptions::stream, ReplayOptions::label, ReplayOptions::summaryOut,
            ReplayOptions::quiet, ReplayOptions::concurrency)
        .containsExactly(2, 5, 3, -9L, true, "affinity", Path.of("out/a.json"), true, 8);
    assertThat(options.messagesUri()).isEqualTo(URI.create("https://gw.example:8443/v1/messages?beta=true"));
  }

  @Test
  void compareTakesTheFilesThatFollow() {
    ReplayOptions options = ReplayOptions.parse("--compare", "ideal.json", "rr.json", "affinity.json");
    assertThat(options.comparing()).isTrue();
    assertThat(options.compare()).containsExactly(Path.of("ideal.json"), Path.of("rr.json"), Path.of("affinity.json"));
  }

  @Test
  void badArgumentsAreRejectedWithAReason() {
    assertThatThrownBy(() -> ReplayOptions.parse("--model", "m"))
        .isInstanceOf(ReplayOptions.UsageException.class).hasMessageContaining("required");
    assertThatThrownBy(() -> ReplayOptions.parse("--base-url", "ftp://x", "--api-key", "k", "--model", "m"))
        .hasMessageContaining("http(s)");
    assertThatThrownBy(() -> ReplayOptions.parse("--base-url", "http://x", "--api-key", "k", "--model", "m",
        "--turns", "0")).hasMessageContaining("--turns");
    assertThatThrownBy(() -> ReplayOptions.parse("--base-url", "http://x", "--api-key", "k", "--model", "m",
        "--seed", "abc")).hasMessageContaining("--seed");
    assertThatThrownBy(() -> ReplayOptions.parse("--turns")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> ReplayOptions.parse("--frobnicate")).hasMessageContaining("unknown option");
    assertThatThrownBy(() -> ReplayOptions.parse("--compare")).hasMessageContaining("--compare");
  }

  @Test
  void theApiKeyNeverShowsInTheTextForm() {
    ReplayOptions options = ReplayOptions.parse("--base-url", "http://x", "--api-key", "sk-ant-secret",
        "--model", "m");
    assertThat(options.toString()).doesNotContain("sk-ant-secret").contains("http://x");
  }
}
