package dev.affinity.emulator.workload;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Command line of {@link Replay}. Either a replay ({@code baseUrl} set) or a comparison ({@code compare} set). */
public record ReplayOptions(URI baseUrl, String apiKey, String model, int tenants, int sessionsPerTenant, int turns,
    long seed, boolean stream, String label, Path summaryOut, boolean quiet, int concurrency, Duration timeout,
    List<Path> compare, boolean help) {

  public static final String USAGE = """
      usage: Replay --base-url URL --api-key KEY --model ALIAS [--tenants 3] [--sessions 4] [--turns 8]
                    [--seed 42] [--stream] [--concurrency 4] [--timeout-seconds 120] [--label TEXT]
                    [--summary-out FILE.json] [--quiet]
             Replay --compare IDEAL.json OTHER.json [...]
             Replay --help

      Replays multi-tenant agent sessions (Claude Code shaped requests to POST /v1/messages?beta=true) against
      URL, turn by turn, and reports where each request landed and how much of its prompt was read from cache.
        --sessions         sessions per tenant
        --concurrency      sessions of one turn sent in parallel (a session's turns always run in order)
        --summary-out      also write the summary as JSON, for --compare
        --compare          side by side summaries; the first is the reference (the single-deployment ideal)
      Exit status: 0, 1 when every request failed, 2 for bad arguments.
      """;

  private static final Set<String> VALUED = Set.of("--base-url", "--api-key", "--model", "--tenants", "--sessions",
      "--turns", "--seed", "--label", "--summary-out", "--concurrency", "--timeout-seconds");

  /** Thrown for arguments that make no sense; the message says which. */
  public static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  public boolean comparing() {
    return !compare.isEmpty();
  }

  public static ReplayOptions parse(String... args) {
    URI baseUrl = null;
    String apiKey = null;
    String model = null;
    int tenants = 3;
    int sessions = 4;
    int turns = 8;
    long seed = 42;
    boolean stream = false;
    String label = "";
    Path summaryOut = null;
    boolean quiet = false;
    int concurrency = 4;
    Duration timeout = Duration.ofSeconds(120);
    List<Path> compare = new ArrayList<>();
    boolean help = false;

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String inlineValue = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        inlineValue = arg.substring(equals + 1);
        arg = arg.substring(0, equals);
      }
      switch (arg) {
        case "--help", "-h" -> help = true;
        case "--stream" -> stream = true;
        case "--quiet" -> quiet = true;
        case "--compare" -> {
          if (inlineValue != null) {
            compare.add(Path.of(inlineValue));
          }
          while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
            compare.add(Path.of(args[++i]));
          }
          if (compare.isEmpty()) {
            throw new UsageException("--compare needs at least one summary file");
          }
        }
        default -> {
          if (!VALUED.contains(arg)) {
            throw new UsageException("unknown option " + arg);
          }
          String value = inlineValue != null ? inlineValue : valueAfter(args, i++, arg);
          switch (arg) {
            case "--base-url" -> baseUrl = baseUrl(value);
            case "--api-key" -> apiKey = value;
            case "--model" -> model = value;
            case "--tenants" -> tenants = positive(arg, value);
            case "--sessions" -> sessions = positive(arg, value);
            case "--turns" -> turns = positive(arg, value);
            case "--seed" -> seed = number(arg, value);
            case "--label" -> label = value;
            case "--summary-out" -> summaryOut = Path.of(value);
            case "--concurrency" -> concurrency = positive(arg, value);
            case "--timeout-seconds" -> timeout = Duration.ofSeconds(positive(arg, value));
            default -> throw new IllegalStateException(arg); // VALUED and this switch disagree
          }
        }
      }
    }
    if (!help && compare.isEmpty()) {
      if (baseUrl == null || apiKey == null || model == null) {
        throw new UsageException("--base-url, --api-key and --model are required");
      }
    }
    return new ReplayOptions(baseUrl, apiKey, model, tenants, sessions, turns, seed, stream, label, summaryOut,
        quiet, concurrency, timeout, List.copyOf(compare), help);
  }

  /** Where requests go: the base URL with the agent CLI's path. */
  public URI messagesUri() {
    String base = baseUrl.toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + AgentWorkload.REQUEST_PATH);
  }

  /** Without the API key: options may end up in logs. */
  @Override
  public String toString() {
    return "ReplayOptions[baseUrl=" + baseUrl + ", model=" + model + ", tenants=" + tenants + ", sessions="
        + sessionsPerTenant + ", turns=" + turns + ", seed=" + seed + ", stream=" + stream + ", label=" + label
        + ", concurrency=" + concurrency + ", compare=" + compare + "]";
  }

  private static String valueAfter(String[] args, int index, String option) {
    if (index + 1 >= args.length) {
      throw new UsageException(option + " needs a value");
    }
    return args[index + 1];
  }

  private static URI baseUrl(String value) {
    try {
      URI uri = new URI(value);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new UsageException("--base-url must be an http(s) URL, got " + value);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new UsageException("--base-url is not a URL: " + value);
    }
  }

  private static long number(String option, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new UsageException(option + " needs a number, got " + value);
    }
  }

  private static int positive(String option, String value) {
    long number = number(option, value);
    if (number < 1 || number > Integer.MAX_VALUE) {
      throw new UsageException(option + " must be a positive number, got " + value);
    }
    return (int) number;
  }
}
