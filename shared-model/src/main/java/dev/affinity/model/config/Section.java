package dev.affinity.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A YAML mapping at a known path. Typed reads record a problem and return empty when a value is wrong, so that one
 * pass finds every problem; {@link #warnUnknownKeys()} then reports whatever was never read.
 *
 * <p>Problem messages never include a configured value: any string may be a secret, or resolve to one.
 */
public final class Section {

  static final String ENV_PREFIX = "os.environ/";

  private final String path;
  private final JsonNode node;
  private final Findings findings;
  private final Map<String, String> env;
  private final Set<String> read = new HashSet<>();

  private Section(String path, JsonNode node, Findings findings, Map<String, String> env) {
    this.path = path;
    this.node = node;
    this.findings = findings;
    this.env = env;
  }

  /** The mapping {@code node} at {@code path}, or empty (with a problem) when it is not a mapping. */
  static Optional<Section> of(String path, JsonNode node, Findings findings, Map<String, String> env) {
    if (!node.isObject()) {
      findings.problem(path, "must be a mapping");
      return Optional.empty();
    }
    return Optional.of(new Section(path, node, findings, env));
  }

  static String child(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  static String element(String list, int index) {
    return list + "[" + index + "]";
  }

  public String path() {
    return path;
  }

  public String path(String key) {
    return child(path, key);
  }

  Findings findings() {
    return findings;
  }

  /** Reports a problem at {@code key}. */
  public void problem(String key, String message) {
    findings.problem(path(key), message);
  }

  /** Reports a warning at {@code key}. */
  public void warning(String key, String message) {
    findings.warning(path(key), message);
  }

  /** The problems found so far in the whole file: a reader compares counts to know whether its own part failed. */
  public int problemCount() {
    return findings.problemCount();
  }

  /** A non-blank environment variable (the process's, with {@code environment_variables} set over it), trimmed. */
  public Optional<String> variable(String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(value -> !value.isEmpty());
  }

  /**
   * The endpoint at {@code key}: an http(s) URL without trailing slash, query or fragment; a problem naming
   * {@code example} otherwise. A plain-http URL to a public host is a warning. The value is never quoted.
   */
  public Optional<String> url(String key, String example) {
    return string(key).flatMap(base -> ConfigLoader.apiBase(this, key, base, example));
  }

  /** {@code base} without trailing slash when it is an http(s) URL without query or fragment. */
  public static Optional<String> httpUrl(String base) {
    return ConfigLoader.httpUrl(base);
  }

  /**
   * {@code api_key}, or, as LiteLLM does, the first of the provider's {@code variables} that is set; when none is,
   * {@link Secret#NONE} if the key is {@code optional}, else a problem.
   */
  public Optional<Secret> apiKey(List<String> variables, boolean optional) {
    if (has("api_key")) {
      return secret("api_key");
    }
    for (String name : variables) {
      Optional<String> fallback = variable(name);
      if (fallback.isPresent()) {
        return fallback.map(Secret::new);
      }
    }
    if (optional) {
      return Optional.of(Secret.NONE); // a self-hosted server without authentication
    }
    problem("api_key", "required (or set environment variable " + String.join(" or ", variables) + ")");
    return Optional.empty();
  }

  /** Whether {@code key} has a value; an explicit YAML null counts as absent. Marks the key as read. */
  public boolean has(String key) {
    return value(key).isPresent();
  }

  /** Whether {@code key} is given as an explicit YAML null ({@code key:} or {@code key: null}). Marks it read. */
  public boolean isNull(String key) {
    read.add(key);
    JsonNode value = node.get(key);
    return value != null && value.isNull();
  }

  /** Accepts {@code key} without using it, with a warning saying why. */
  public void ignore(String key, String why) {
    if (node.has(key)) {
      read.add(key);
      findings.warning(path(key), why);
    }
  }

  /** Marks every key as read, without a warning: the whole mapping is accounted for elsewhere. */
  void acceptAll() {
    node.fieldNames().forEachRemaining(read::add);
  }

  /** The keys of this mapping, in file order. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** Reports every key that no read asked for, in file order. */
  void warnUnknownKeys() {
    warnUnreadKeys("unknown key, ignored");
  }

  /** Reports every key that no read asked for, in file order, saying {@code why}. */
  void warnUnreadKeys(String why) {
    node.fieldNames().forEachRemaining(key -> {
      if (!read.contains(key)) {
        read.add(key);
        findings.warning(path(key), why);
      }
    });
  }

  /** Whether {@code key} holds a mapping. */
  public boolean isMapping(String key) {
    JsonNode value = node.get(key);
    return value != null && value.isObject();
  }

  public Optional<Section> section(String key) {
    return value(key).flatMap(value -> of(path(key), value, findings, env));
  }

  /** A required mapping: empty, with a problem, when absent. */
  Optional<Section> requiredSection(String key) {
    if (!has(key)) {
      problem(key, "required");
      return Optional.empty();
    }
    return section(key);
  }

  /** The elements of a list, or empty (with a problem) when {@code key} is not a list. */
  Optional<List<JsonNode>> list(String key) {
    return value(key).flatMap(value -> {
      if (!value.isArray()) {
        problem(key, "must be a list");
        return Optional.empty();
      }
      List<JsonNode> elements = new ArrayList<>();
      value.elements().forEachRemaining(elements::add);
      return Optional.of(elements);
    });
  }

  /** The mapping elements of a list; elements that are not mappings are reported and left out. */
  Optional<List<Section>> sections(String key) {
    return list(key).map(elements -> {
      List<Section> sections = new ArrayList<>();
      for (int i = 0; i < elements.size(); i++) {
        of(element(path(key), i), elements.get(i), findings, env).ifPresent(sections::add);
      }
      return sections;
    });
  }

  /** A list of strings ({@code os.environ/} resolved); bad elements are reported and left out. */
  public Optional<List<String>> strings(String key) {
    return list(key).map(elements -> {
      List<String> strings = new ArrayList<>();
      for (int i = 0; i < elements.size(); i++) {
        text(element(path(key), i), elements.get(i)).ifPresent(strings::add);
      }
      return strings;
    });
  }

  /** A non-blank string; {@code os.environ/NAME} is replaced by the variable's value. */
  public Optional<String> string(String key) {
    return value(key).flatMap(value -> text(path(key), value));
  }

  public Optional<String> requiredString(String key) {
    if (!has(key)) {
      problem(key, "required");
      return Optional.empty();
    }
    return string(key);
  }

  public Optional<Secret> secret(String key) {
    return string(key).map(Secret::new);
  }

  public Optional<Boolean> bool(String key) {
    return value(key).flatMap(value -> {
      if (!value.isBoolean()) {
        problem(key, "must be true or false");
        return Optional.empty();
      }
      return Optional.of(value.booleanValue());
    });
  }

  /** An integer no smaller than {@code min}. */
  public Optional<Integer> integer(String key, int min) {
    return value(key).flatMap(value -> {
      if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
        problem(key, min == Integer.MIN_VALUE ? "must be an integer" : "must be an integer >= " + min);
        return Optional.empty();
      }
      return Optional.of(value.intValue());
    });
  }

  /** Any integer, negative included. */
  public Optional<Integer> integer(String key) {
    return integer(key, Integer.MIN_VALUE);
  }

  /** A finite number, {@code >= 0}, or {@code > 0} when {@code positive}. */
  public Optional<Double> number(String key, boolean positive) {
    return value(key).flatMap(value -> {
      double number = value.doubleValue();
      if (!value.isNumber() || !Double.isFinite(number) || number < 0 || (positive && number == 0)) {
        problem(key, positive ? "must be a number > 0" : "must be a number >= 0");
        return Optional.empty();
      }
      return Optional.of(number);
    });
  }

  /** A positive number of seconds, fractions allowed down to the millisecond. */
  public Optional<Duration> seconds(String key) {
    return value(key).flatMap(value -> {
      double seconds = value.doubleValue();
      long millis = Math.round(seconds * 1000);
      if (!value.isNumber() || !Double.isFinite(seconds) || millis <= 0) {
        problem(key, "must be a positive number of seconds");
        return Optional.empty();
      }
      return Optional.of(Duration.ofMillis(millis));
    });
  }

  private Optional<JsonNode> value(String key) {
    read.add(key);
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
  }

  private Optional<String> text(String at, JsonNode value) {
    if (!value.isTextual()) {
      findings.problem(at, "must be a string");
      return Optional.empty();
    }
    String text = value.textValue();
    if (text.startsWith(ENV_PREFIX)) {
      return fromEnvironment(at, text.substring(ENV_PREFIX.length()));
    }
    if (text.isBlank()) {
      findings.problem(at, "must not be empty");
      return Optional.empty();
    }
    return Optional.of(text);
  }

  private Optional<String> fromEnvironment(String at, String variable) {
    if (variable.isBlank()) {
      findings.problem(at, "os.environ/ must be followed by a variable name");
      return Optional.empty();
    }
    String resolved = env.get(variable);
    if (resolved == null) {
      findings.problem(at, "environment variable " + variable + " is not set");
      return Optional.empty();
    }
    if (resolved.isBlank()) {
      findings.problem(at, "environment variable " + variable + " is empty");
      return Optional.empty();
    }
    return Optional.of(resolved);
  }
}
