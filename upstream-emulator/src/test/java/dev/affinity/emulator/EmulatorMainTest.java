package dev.affinity.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmulatorMainTest {

  @Test
  void parsesAccountsLimitsAndLatency() {
    EmulatorOptions options = EmulatorMain.parse(new String[] {
        "--port", "9200", "--accounts", "acct-1=sk-emu-1,acct-2=sk-emu-2", "--rpm=acct-2=50", "--latency", "zero",
        "--min-cacheable", "claude-sonnet=512"});
    assertThat(options.getPort()).isEqualTo(9200);
    assertThat(options.getAccounts()).containsOnlyKeys("acct-1", "acct-2");
    assertThat(options.getAccounts().get("acct-1").apiKey()).isEqualTo("sk-emu-1");
    assertThat(options.getAccounts().get("acct-1").rpm()).isZero();
    assertThat(options.getAccounts().get("acct-2").rpm()).isEqualTo(50);
    assertThat(options.getLatency()).isEqualTo(LatencyModel.ZERO);
    assertThat(options.getMinimumCacheableTokens()).containsEntry("claude-sonnet", 512);
  }

  @Test
  void defaultsToPort9100AndRealisticLatency() {
    EmulatorOptions options = EmulatorMain.parse(new String[] {"--accounts", "a=k"});
    assertThat(options.getPort()).isEqualTo(EmulatorMain.DEFAULT_PORT);
    assertThat(options.getLatency()).isEqualTo(LatencyModel.REALISTIC);
  }

  @Test
  void helpIsNotAnError() {
    assertThat(EmulatorMain.parse(new String[] {"--help"})).isNull();
  }

  @Test
  void badArgumentsAreExplainedWithoutEchoingKeys() {
    assertThatThrownBy(() -> EmulatorMain.parse(new String[] {"--port", "9100"}))
        .hasMessageContaining("--accounts is required");
    assertThatThrownBy(() -> EmulatorMain.parse(new String[] {"--accounts", "a=k", "--latency", "slow"}))
        .hasMessageContaining("zero or realistic");
    assertThatThrownBy(() -> EmulatorMain.parse(new String[] {"--accounts", "a=k", "--port", "high"}))
        .hasMessageContaining("--port expects an integer");
    assertThatThrownBy(() -> EmulatorMain.parse(new String[] {"--accounts", "a=k", "--rpm", "b=5"}))
        .hasMessageContaining("unknown account 'b'");
    assertThatThrownBy(() -> EmulatorMain.parse(new String[] {"--accounts", "sk-secret-no-name"}))
        .hasMessageNotContaining("sk-secret");
    assertThatThrownBy(() -> EmulatorMain.parse(new String[] {"--accounts", "a=k", "--bogus", "1"}))
        .hasMessageContaining("unknown option --bogus");
  }
}
