package dev.affinity.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Accounts with AWS credentials, from the command line and the Java API. */
class AwsAccountsOptionsTest {

  @Test
  void awsAccountsJoinApiKeyAccountsOfTheSameName() {
    EmulatorOptions options = EmulatorMain.parse(new String[] {
        "--accounts", "acct-1=sk-emu-1",
        "--aws-accounts", "acct-1=AKID1:secret1,aws-only=ASIA2:secret2:token2",
        "--rpm", "aws-only=7"});

    AccountConfig both = options.getAccounts().get("acct-1");
    assertThat(both.apiKey()).isEqualTo("sk-emu-1");
    assertThat(both.aws()).isEqualTo(new AwsCredentials("AKID1", "secret1", null));
    AccountConfig awsOnly = options.getAccounts().get("aws-only");
    assertThat(awsOnly.apiKey()).isNull();
    assertThat(awsOnly.aws()).isEqualTo(new AwsCredentials("ASIA2", "secret2", "token2"));
    assertThat(awsOnly.rpm()).isEqualTo(7);
  }

  @Test
  void awsAccountsAloneAreEnough() {
    EmulatorOptions options = EmulatorMain.parse(new String[] {"--aws-accounts", "bedrock-1=AKID1:secret1"});

    assertThat(options.getAccounts()).containsOnlyKeys("bedrock-1");
  }

  @Test
  void aMalformedCredentialIsRejectedWithoutEchoingIt() {
    assertThatThrownBy(() -> EmulatorMain.parse(new String[] {"--aws-accounts", "a=AKID1-with-no-secret"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--aws-accounts expects")
        .hasMessageNotContaining("AKID1-with-no-secret");
  }

  @Test
  void twoAccountsCannotShareAnAccessKeyId() {
    EmulatorOptions options = new EmulatorOptions().addAwsAccount("a", "AKID1", "secret1");

    assertThatThrownBy(() -> options.addAwsAccount("b", "AKID1", "secret2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AWS access key id");
  }

  @Test
  void secretsStayOutOfToString() {
    AccountConfig config = AccountConfig.aws("a", new AwsCredentials("AKID1", "secret1", "token1"));

    assertThat(config.toString()).contains("AKID1").doesNotContain("secret1").doesNotContain("token1");
  }

  @Test
  void anAccountNeedsAKeyOrCredentials() {
    assertThatThrownBy(() -> new AccountConfig("a", null, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
