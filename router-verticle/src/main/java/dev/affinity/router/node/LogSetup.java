package dev.affinity.router.node;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.logging.LogManager;

/**
 * One-line log records on stderr, as text or JSON ({@link LogFormat}); {@code debug} turns on the routing decisions
 * LiteLLM users grep for.
 */
public final class LogSetup {

  private LogSetup() {
  }

  public static void configure(String level) {
    configure(level, LogFormat.Text.class.getName());
  }

  /** @param formatter the class name of a {@link LogFormat} */
  public static void configure(String level, String formatter) {
    String julLevel = switch (level.toLowerCase(Locale.ROOT)) {
      case "debug" -> "FINE";
      case "warn", "warning" -> "WARNING";
      case "error" -> "SEVERE";
      default -> "INFO";
    };
    String properties = String.join("\n",
        "handlers=java.util.logging.ConsoleHandler",
        "java.util.logging.ConsoleHandler.level=ALL",
        "java.util.logging.ConsoleHandler.formatter=" + formatter,
        ".level=WARNING",
        "dev.affinity.level=" + julLevel,
        "affinity.level=" + julLevel,
        // membership changes are worth seeing; the rest of Hazelcast's chatter is not
        "com.hazelcast.internal.cluster.ClusterService.level=INFO",
        "");
    try {
      LogManager.getLogManager().readConfiguration(
          new ByteArrayInputStream(properties.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
