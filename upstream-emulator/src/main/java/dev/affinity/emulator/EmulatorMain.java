package dev.affinity.emulator;

import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command line: {@code java -jar affinity-emulator.jar --port 9100 --accounts acct-1=sk-emu-1,acct-2=sk-emu-2}.
 * Exit status 2 on bad arguments, 1 when the server cannot start.
 */
public final class EmulatorMain {

  static final int DEFAULT_PORT = 9100;

  static final String USAGE = """
      Usage: java -jar affinity-emulator.jar --accounts NAME=KEY[,NAME=KEY...] [options]
             java -jar affinity-emulator.jar --aws-accounts NAME=AKID:SECRET[,...] [options]

      Plays Anthropic API accounts (Messages API with prompt caching), on Anthropic's, OpenAI's and Bedrock's APIs,
      for testing and benchmarking a gateway.

      Options:
        --accounts NAME=KEY,...     accounts and the API keys that select them
        --aws-accounts NAME=AKID:SECRET[:SESSION_TOKEN],...
                                    AWS credentials that select accounts on the Bedrock routes (SigV4); a NAME
                                    also in --accounts is one account reachable both ways
                                    (--accounts or --aws-accounts is required)
        --port N                    port to listen on (default 9100, 0 for an ephemeral port)
        --host HOST                 address to bind (default 127.0.0.1)
        --latency zero|realistic    latency model (default realistic)
        --rpm NAME=N,...            requests per minute enforced with a 429 for these accounts
        --output-tokens N           output tokens of an answer unless max_tokens is lower (default 24)
        --min-cacheable PREFIX=N,...  minimum cacheable prefix for model ids starting with PREFIX
        --event-loops N             event loops serving requests (default 1)
        --help                      print this help
      """;

  private static final Set<String> OPTIONS = Set.of("--accounts", "--aws-accounts", "--port", "--host", "--latency", "--rpm",
      "--output-tokens", "--min-cacheable", "--event-loops");

  private EmulatorMain() {
  }

  public static void main(String[] args) {
    EmulatorOptions options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("affinity-emulator: " + e.getMessage());
      System.err.println("Run with --help for usage.");
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.print(USAGE);
      return;
    }
    Vertx vertx = Vertx.vertx();
    UpstreamEmulator.start(vertx, options).onComplete(started -> {
      if (started.succeeded()) {
        UpstreamEmulator emulator = started.result();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "emulator-shutdown"));
        System.out.println("Emulator listening on " + emulator.baseUrl());
      } else {
        System.err.println("affinity-emulator: cannot start: " + started.cause().getMessage());
        vertx.close().onComplete(closed -> System.exit(1));
      }
    });
  }

  /** Options from the command line, or null when help was asked for. */
  static EmulatorOptions parse(String[] args) {
    EmulatorOptions options = new EmulatorOptions().setPort(DEFAULT_PORT).setLatency(LatencyModel.REALISTIC);
    Map<String, String> accounts = new LinkedHashMap<>();
    Map<String, AwsCredentials> awsAccounts = new LinkedHashMap<>();
    Map<String, String> rpm = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return null;
      }
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      int equals = arg.indexOf('=');
      String name = equals > 0 ? arg.substring(0, equals) : arg;
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown option " + name);
      }
      String value;
      if (equals > 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(arg + " needs a value");
      }
      switch (name) {
        case "--accounts" -> accounts.putAll(pairs(name, value));
        case "--aws-accounts" -> pairs(name, value).forEach((account, credentials) ->
            awsAccounts.put(account, awsCredentials(credentials)));
        case "--port" -> options.setPort(integer(name, value));
        case "--host" -> options.setHost(value);
        case "--latency" -> options.setLatency(latency(value));
        case "--rpm" -> rpm.putAll(pairs(name, value));
        case "--output-tokens" -> options.setDefaultOutputTokens(integer(name, value));
        case "--min-cacheable" ->
            pairs(name, value).forEach((prefix, tokens) -> options.setMinimumCacheableTokens(prefix,
                integer(name, tokens)));
        case "--event-loops" -> options.setEventLoops(integer(name, value));
        default -> throw new IllegalStateException("option listed but not parsed: " + name);
      }
    }
    if (accounts.isEmpty() && awsAccounts.isEmpty()) {
      throw new IllegalArgumentException("--accounts is required, e.g. --accounts acct-1=sk-emu-1,acct-2=sk-emu-2"
          + " (or --aws-accounts for Bedrock accounts)");
    }
    Set<String> names = new LinkedHashSet<>(accounts.keySet());
    names.addAll(awsAccounts.keySet());
    for (String account : rpm.keySet()) {
      if (!names.contains(account)) {
        throw new IllegalArgumentException("--rpm names an unknown account '" + account + "'");
      }
    }
    for (String account : names) {
      int limit = rpm.containsKey(account) ? integer("--rpm", rpm.get(account)) : 0;
      options.addAccount(new AccountConfig(account, accounts.get(account), limit, awsAccounts.get(account)));
    }
    return options;
  }

  /** {@code AKID:SECRET} or {@code AKID:SECRET:SESSION_TOKEN}. */
  private static AwsCredentials awsCredentials(String value) {
    String[] parts = value.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || Arrays.stream(parts).anyMatch(String::isBlank)) {
      // The value holds a secret: name the option, never echo it.
      throw new IllegalArgumentException("--aws-accounts expects NAME=ACCESS_KEY_ID:SECRET_ACCESS_KEY"
          + "[:SESSION_TOKEN] pairs separated by commas");
    }
    return new AwsCredentials(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
  }

  private static Map<String, String> pairs(String option, String value) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String pair : value.split(",")) {
      int equals = pair.indexOf('=');
      if (equals <= 0 || equals == pair.length() - 1) {
        // The value may hold a key: name the option, never echo it.
        throw new IllegalArgumentException(option + " expects NAME=VALUE pairs separated by commas");
      }
      pairs.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
    }
    return pairs;
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " expects an integer, got '" + value + "'");
    }
  }

  private static LatencyModel latency(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "zero" -> LatencyModel.ZERO;
      case "realistic" -> LatencyModel.REALISTIC;
      default -> throw new IllegalArgumentException("--latency expects zero or realistic, got '" + value + "'");
    };
  }
}
