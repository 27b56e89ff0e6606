package dev.affinity.emulator.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Multi-tenant sessions of an agent CLI (shaped like Claude Code) talking to {@code POST /v1/messages?beta=true}.
 *
 * <p>Everything is derived from the seed: two workloads built with the same arguments produce byte-identical
 * requests. What is shared mirrors what a provider can cache across clients: all tenants send the same 12 tools
 * and the same first two system blocks; sessions of one tenant also share the third system block (the tenant's
 * project instructions); the conversation is per session.
 *
 * <p>Pure: no I/O, no clock. Sessions are mutable and not thread-safe; drive each from one thread at a time.
 */
public final class AgentWorkload {

  /** Path and query an agent CLI posts to. */
  public static final String REQUEST_PATH = "/v1/messages?beta=true";
  public static final String DEFAULT_MODEL = "claude-sonnet-4-5";
  public static final int MAX_TOKENS = 32000;
  static final int THINKING_BUDGET_TOKENS = 16000;

  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final long TOOLS = 1;
  private static final long SYSTEM = 2;
  private static final long TENANT = 3;
  private static final long SESSION = 4;
  private static final long FIXTURE_REPLIES = 5;

  private static final String[] PROJECTS = {
    "ledger", "atlas", "harbor", "quarry", "orbit", "meadow", "signal", "lantern", "cobalt", "willow"
  };

  private final List<Session> sessions;

  public AgentWorkload(long seed, int tenants, int sessionsPerTenant) {
    this(seed, tenants, sessionsPerTenant, DEFAULT_MODEL);
  }

  public AgentWorkload(long seed, int tenants, int sessionsPerTenant, String model) {
    if (tenants < 1 || sessionsPerTenant < 1) {
      throw new IllegalArgumentException("tenants and sessionsPerTenant must be at least 1");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank");
    }
    ArrayNode tools = tools(new Prose(Prose.seedFor(seed, TOOLS)));
    Prose systemProse = new Prose(Prose.seedFor(seed, SYSTEM));
    ObjectNode intro = textBlock("You are Claude Code, Anthropic's official CLI for Claude.");
    ObjectNode agentPrompt = textBlock(agentPrompt(systemProse)).set("cache_control", ephemeral());

    List<Session> all = new ArrayList<>(tenants * sessionsPerTenant);
    for (int t = 1; t <= tenants; t++) {
      String tenant = "t" + t;
      String project = PROJECTS[(t - 1) % PROJECTS.length] + (t > PROJECTS.length ? "-" + t : "");
      ObjectNode projectInstructions = textBlock(projectInstructions(new Prose(Prose.seedFor(seed, TENANT, t)), project))
          .set("cache_control", ephemeral());
      ArrayNode system = NODES.arrayNode().add(intro).add(agentPrompt).add(projectInstructions);
      for (int s = 1; s <= sessionsPerTenant; s++) {
        all.add(new Session(tenant + "-s" + s, tenant, project, model, tools, system,
            new Prose(Prose.seedFor(seed, SESSION, t, s))));
      }
    }
    this.sessions = List.copyOf(all);
  }

  /** Sessions in tenant order, then session order: {@code t1-s1, t1-s2, ..., t2-s1, ...}. */
  public List<Session> sessions() {
    return sessions;
  }

  /** One agent request of about 50 KB (turn 3 of a session, streaming), the same for the same seed. */
  public static byte[] agentRequestFixture(long seed) {
    Session session = new AgentWorkload(seed, 1, 1).sessions().get(0);
    Prose replies = new Prose(Prose.seedFor(seed, FIXTURE_REPLIES));
    session.nextTurn(replies.paragraph(60));
    session.nextTurn(replies.paragraph(60));
    return session.request(true);
  }

  /**
   * The {@code Accept-Encoding} an agent CLI sends. Not in {@link #clientHeaders()}: a client that sends it must
   * decode all four, and the replay only decodes gzip; gateway tests use it to check that it passes untouched.
   */
  public static final String AGENT_ACCEPT_ENCODING = "gzip, deflate, br, zstd";

  /** Headers an agent CLI sends besides the credentials, content type and accepted encodings. */
  public static Map<String, String> clientHeaders() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("anthropic-version", "2023-06-01");
    headers.put("anthropic-beta",
        "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14");
    headers.put("x-app", "cli");
    return headers;
  }

  static ObjectNode textBlock(String text) {
    ObjectNode block = NODES.objectNode();
    block.put("type", "text");
    block.put("text", text);
    return block;
  }

  static ObjectNode ephemeral() {
    return NODES.objectNode().put("type", "ephemeral");
  }

  private static String agentPrompt(Prose prose) {
    String[] sections = {
      "Tone and style", "Proactiveness", "Following conventions", "Code style", "Task management",
      "Doing tasks", "Tool usage policy", "Code references", "Security", "Git workflow"
    };
    StringBuilder text = new StringBuilder(
        "You are an interactive CLI tool that helps users with software engineering tasks. "
        + "Use the instructions below and the tools available to you to assist the user.\n");
    for (String section : sections) {
      text.append("\n# ").append(section).append('\n').append(prose.paragraph(prose.between(90, 130))).append('\n');
      for (int i = prose.between(3, 5); i > 0; i--) {
        text.append("- ").append(prose.sentence()).append('\n');
      }
    }
    return text.toString();
  }

  private static String projectInstructions(Prose prose, String project) {
    StringBuilder text = new StringBuilder("<env>\nWorking directory: /home/dev/").append(project)
        .append("\nIs directory a git repo: Yes\nPlatform: linux\n</env>\n\n# Project instructions (CLAUDE.md) for ")
        .append(project).append('\n');
    for (String section : new String[] {"Build", "Conventions", "Architecture", "Testing"}) {
      text.append("\n## ").append(section).append('\n').append(prose.paragraph(prose.between(80, 110))).append('\n');
      for (int i = prose.between(2, 4); i > 0; i--) {
        text.append("- ").append(prose.sentence()).append('\n');
      }
    }
    return text.toString();
  }

  private static ArrayNode tools(Prose prose) {
    ArrayNode tools = NODES.arrayNode();
    tools.add(tool(prose, "Task", "Launch a new agent to handle complex, multi-step tasks autonomously.", p -> p
        .string("description", true).string("prompt", true).string("subagent_type", true)));
    tools.add(tool(prose, "Bash", "Executes a given bash command in a persistent shell session.", p -> p
        .string("command", true).number("timeout", false).string("description", false)
        .bool("run_in_background", false)));
    tools.add(tool(prose, "Glob", "Fast file pattern matching tool that works with any codebase size.", p -> p
        .string("pattern", true).string("path", false)));
    tools.add(tool(prose, "Grep", "A powerful search tool built on ripgrep.", p -> p
        .string("pattern", true).string("path", false).string("glob", false)
        .enumeration("output_mode", false, "content", "files_with_matches", "count")
        .bool("-i", false).bool("-n", false).number("head_limit", false)));
    tools.add(tool(prose, "Read", "Reads a file from the local filesystem.", p -> p
        .string("file_path", true).number("offset", false).number("limit", false)));
    tools.add(tool(prose, "Edit", "Performs exact string replacements in files.", p -> p
        .string("file_path", true).string("old_string", true).string("new_string", true)
        .bool("replace_all", false)));
    tools.add(tool(prose, "Write", "Writes a file to the local filesystem.", p -> p
        .string("file_path", true).string("content", true)));
    tools.add(tool(prose, "NotebookEdit", "Completely replaces the contents of a specific cell in a notebook.", p -> p
        .string("notebook_path", true).string("cell_id", false).string("new_source", true)
        .enumeration("cell_type", false, "code", "markdown")
        .enumeration("edit_mode", false, "replace", "insert", "delete")));
    tools.add(tool(prose, "WebFetch", "Fetches content from a specified URL and processes it using an AI model.", p -> p
        .string("url", true).string("prompt", true)));
    tools.add(tool(prose, "WebSearch", "Allows Claude to search the web and use the results to inform responses.", p -> p
        .string("query", true).stringArray("allowed_domains", false).stringArray("blocked_domains", false)));
    tools.add(tool(prose, "TodoWrite", "Use this tool to create and manage a structured task list for your session.",
        p -> p.objectArray("todos", true, item -> item
            .string("content", true)
            .enumeration("status", true, "pending", "in_progress", "completed")
            .string("activeForm", true))));
    tools.add(tool(prose, "ExitPlanMode", "Use this tool when you are in plan mode and have finished presenting your plan.",
        p -> p.string("plan", true)));
    return tools;
  }

  private static ObjectNode tool(Prose prose, String name, String purpose, Consumer<InputSchema> parameters) {
    StringBuilder description = new StringBuilder(purpose).append("\n\n").append(prose.paragraph(prose.between(90, 120)))
        .append("\n\nUsage notes:\n");
    for (int i = prose.between(5, 8); i > 0; i--) {
      description.append("  - ").append(prose.sentence()).append(' ').append(prose.sentence()).append('\n');
    }
    InputSchema schema = new InputSchema(prose);
    parameters.accept(schema);
    ObjectNode tool = NODES.objectNode();
    tool.put("name", name);
    tool.put("description", description.toString());
    tool.set("input_schema", schema.toJson(true));
    return tool;
  }

  /** JSON Schema of a tool's input, with generated property descriptions. */
  private static final class InputSchema {
    private final Prose prose;
    private final ObjectNode properties = NODES.objectNode();
    private final ArrayNode required = NODES.arrayNode();

    InputSchema(Prose prose) {
      this.prose = prose;
    }

    InputSchema string(String name, boolean mandatory) {
      return property(name, mandatory, typed("string"));
    }

    InputSchema number(String name, boolean mandatory) {
      return property(name, mandatory, typed("number"));
    }

    InputSchema bool(String name, boolean mandatory) {
      return property(name, mandatory, typed("boolean"));
    }

    InputSchema enumeration(String name, boolean mandatory, String... values) {
      ObjectNode property = typed("string");
      ArrayNode allowed = property.putArray("enum");
      for (String value : values) {
        allowed.add(value);
      }
      return property(name, mandatory, property);
    }

    InputSchema stringArray(String name, boolean mandatory) {
      ObjectNode property = typed("array");
      property.set("items", typed("string"));
      return property(name, mandatory, property);
    }

    InputSchema objectArray(String name, boolean mandatory, Consumer<InputSchema> item) {
      InputSchema itemSchema = new InputSchema(prose);
      item.accept(itemSchema);
      ObjectNode property = typed("array");
      property.set("items", itemSchema.toJson(false));
      return property(name, mandatory, property);
    }

    private static ObjectNode typed(String type) {
      return NODES.objectNode().put("type", type);
    }

    private InputSchema property(String name, boolean mandatory, ObjectNode property) {
      property.put("description", prose.sentence());
      properties.set(name, property);
      if (mandatory) {
        required.add(name);
      }
      return this;
    }

    ObjectNode toJson(boolean root) {
      ObjectNode schema = typed("object");
      schema.set("properties", properties);
      schema.set("required", required);
      schema.put("additionalProperties", false);
      if (root) {
        schema.put("$schema", "http://json-schema.org/draft-07/schema#");
      }
      return schema;
    }
  }
}
