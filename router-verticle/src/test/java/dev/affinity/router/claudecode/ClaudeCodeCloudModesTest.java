package dev.affinity.router.claudecode;

import dev.affinity.emulator.AccountCounters;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import dev.affinity.router.vertex.TwoVertexProjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Claude Code in its Bedrock mode ({@code CLAUDE_CODE_USE_BEDROCK}: InvokeModel with the gateway key as the
 * Bedrock bearer token) and its Vertex mode ({@code CLAUDE_CODE_USE_VERTEX}: rawPredict, the key in a custom header),
 * through the gateway to each kind of Claude deployment — Anthropic's API, Bedrock, Vertex AI — two accounts of each
 * on the emulator: a conversation of three turns stays on one account and reads its cache from the second turn on.
 */
class ClaudeCodeCloudModesTest {

  private static final String KEY = "sk-affinity-claude-code";
  private static final String SECRET_1 = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYACCOUNT1KEY";
  private static final String SECRET_2 = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbACCOUNT2KEY";

  private static ClaudeCodeCli claude;
  private static TwoVertexProjects upstreams;
  private static TestGateway gateway;

  /** A Claude deployment kind: the model its alias serves, and its two emulator accounts. */
  enum Upstream {
    ANTHROPIC("claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "anthropic-1", "anthropic-2"),
    BEDROCK("claude-opus-4-5-20251101", "claude-opus-4-5", "aws-1", "aws-2"),
    VERTEX("claude-haiku-4-5-20251001", "claude-haiku-4-5", "gcp-a", "gcp-b");

    final String model;
    final String family;
    final List<String> accounts;

    Upstream(String model, String family, String... accounts) {
      this.model = model;
      this.family = family;
      this.accounts = List.of(accounts);
    }

    /** The id Claude Code is told to use in Bedrock's mode: a cross-region inference profile. */
    String bedrockId() {
      return "us.anthropic." + model + "-v1:0";
    }

    /** The id Claude Code is told to use in Vertex's mode: the date after {@code @}. */
    String vertexId() {
      return family + "@" + model.substring(family.length() + 1);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    claude = ClaudeCodeCli.installed();
    upstreams = TwoVertexProjects.start(options -> options.addAccount("anthropic-1", "sk-anthropic-1")
        .addAccount("anthropic-2", "sk-anthropic-2")
        .addAwsAccount("aws-1", "AKIAACCOUNTONE000001", SECRET_1)
        .addAwsAccount("aws-2", "AKIAACCOUNTTWO000002", SECRET_2));
    String emulator = upstreams.emulator().baseUrl();
    StringBuilder yaml = new StringBuilder("""
        general_settings:
          master_key: %s
        router_settings:
          optional_pre_call_checks: ["prompt_caching"]
        """.formatted(KEY));
    yaml.append(upstreams.modelList(Upstream.VERTEX.model, Upstream.VERTEX.vertexId(), "us-east5"));
    for (int account = 1; account <= 2; account++) {
      yaml.append("""
            - model_name: %1$s
              litellm_params: {model: anthropic/%1$s, api_key: sk-anthropic-%2$d, api_base: "%3$s"}
              model_info: {id: anthropic-%2$d}
            - model_name: %4$s
              litellm_params:
                model: bedrock/%5$s
                aws_access_key_id: %6$s
                aws_secret_access_key: %7$s
                aws_region_name: us-east-1
                aws_bedrock_runtime_endpoint: %3$s
              model_info: {id: bedrock-%2$d}
          """.formatted(Upstream.ANTHROPIC.model, account, emulator, Upstream.BEDROCK.model,
          Upstream.BEDROCK.bedrockId(), account == 1 ? "AKIAACCOUNTONE000001" : "AKIAACCOUNTTWO000002",
          account == 1 ? SECRET_1 : SECRET_2));
    }
    gateway = TestGateway.start(yaml.toString());
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (upstreams != null) {
      upstreams.close();
    }
  }

  static Stream<Arguments> modesAndUpstreams() {
    return Stream.of("bedrock", "vertex").flatMap(mode -> Stream.of(Upstream.values())
        .map(upstream -> Arguments.of(mode, upstream)));
  }

  @ParameterizedTest(name = "Claude Code in {0} mode, {1} deployments")
  @MethodSource("modesAndUpstreams")
  void aConversationStaysOnOneAccountAndReadsItsCache(String mode, Upstream upstream) throws Exception {
    Map<String, String> environment = new HashMap<>();
    String model;
    if (mode.equals("bedrock")) {
      model = upstream.bedrockId();
      environment.putAll(Map.of("CLAUDE_CODE_USE_BEDROCK", "1", "ANTHROPIC_BEDROCK_BASE_URL", gateway.baseUrl(),
          "AWS_BEARER_TOKEN_BEDROCK", KEY, "AWS_REGION", "us-east-1"));
    } else {
      model = upstream.vertexId();
      // with its own Google authentication skipped, Claude Code sends what ANTHROPIC_CUSTOM_HEADERS says
      environment.putAll(Map.of("CLAUDE_CODE_USE_VERTEX", "1", "ANTHROPIC_VERTEX_BASE_URL", gateway.baseUrl() + "/v1",
          "CLAUDE_CODE_SKIP_VERTEX_AUTH", "1", "ANTHROPIC_VERTEX_PROJECT_ID", "affinity-test",
          "CLOUD_ML_REGION", "us-east5", "ANTHROPIC_CUSTOM_HEADERS", "Authorization: Bearer " + KEY));
    }
    environment.put("ANTHROPIC_MODEL", model);
    environment.put("ANTHROPIC_SMALL_FAST_MODEL", model);
    environment.put("ANTHROPIC_DEFAULT_HAIKU_MODEL", model);
    UpstreamEmulator emulator = upstreams.emulator();
    Map<String, AccountCounters> before = emulator.counters();

    claude.converse(environment, 3);

    Map<String, AccountCounters> after = emulator.counters();
    long[] reads = upstream.accounts.stream().mapToLong(account -> after.get(account).cacheReadInputTokens()
        - (before.containsKey(account) ? before.get(account).cacheReadInputTokens() : 0)).toArray();
    assertThat(reads).as("cache reads of " + upstream.accounts + ": the conversation's turns went to one account")
        .satisfiesAnyOf(r -> assertThat(r[0]).isPositive().satisfies(x -> assertThat(r[1]).isZero()),
            r -> assertThat(r[1]).isPositive().satisfies(x -> assertThat(r[0]).isZero()));
  }
}
