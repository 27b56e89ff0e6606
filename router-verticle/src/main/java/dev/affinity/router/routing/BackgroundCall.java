package dev.affinity.router.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.affinity.model.Attribution;
import dev.affinity.model.CallOutcome;
import dev.affinity.model.Caller;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The call that made a background response (OpenAI's background mode), kept until its usage is known: the answer to
 * the call was the response {@code queued}, without usage, and what it spent shows only when the response is read
 * back finished. Then the call is booked as any other, once ({@link OwedUsage}).
 *
 * <p>Kept in the cluster as JSON, and read back as a value any member could have written: only a call to a
 * deployment this node knows, with every field of the expected type and size, is booked.
 *
 * @param pending who made the call, to which deployment, by which route
 * @param status  the status of the call's answer
 * @param timing  when the call's steps happened, for the latency metrics
 */
public record BackgroundCall(UsageReport.Pending pending, int status, UsageReport.Timing timing) {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Longer than any id, alias or address the gateway writes; bounds what is read back. */
  static final int MAX_FIELD_CHARS = 512;
  /** The whole value: its fields and the request's tags. */
  private static final int MAX_CHARS = 16 * MAX_FIELD_CHARS + Attribution.MAX_TAGS * (Attribution.MAX_CHARS + 8);

  /** The call's report, now that the response's usage is known. */
  public UsageReport settledWith(TokenUsage usage) {
    return pending.of(new CallOutcome(status, usage, null, timing));
  }

  /** The form kept in the cluster. */
  public String encode() {
    Caller caller = pending.caller();
    ObjectNode json = JSON.createObjectNode()
        .put("request", pending.requestId()).put("alias", pending.alias())
        .put("deployment", pending.deploymentId()).put("route", pending.route() == null ? null : pending.route().name())
        .put("status", status)
        .put("sent", timing.sentAfterNanos()).put("first_byte", timing.firstByteAfterNanos())
        .put("ended", timing.endedAfterNanos());
    json.putObject("caller").put("key_id", caller.keyId()).put("key_hash_prefix", caller.keyHashPrefix())
        .put("key_alias", caller.keyAlias()).put("team_id", caller.teamId()).put("tenant", caller.tenant())
        .put("admin", caller.admin()).put("routing_headers", caller.routingHeaders()).put("client", caller.client())
        .put("end_user", caller.attribution().endUser())
        .putArray("tags").addAll(caller.attribution().tags().stream().map(TextNode::valueOf).toList());
    return json.toString();
  }

  /**
   * A call read back from the cluster; empty when it is not one this node would have written: not JSON, a field
   * missing, of another type or too long, a route it does not know, or a deployment {@code known} refuses.
   */
  public static Optional<BackgroundCall> decode(Object value, Predicate<String> known) {
    if (!(value instanceof String text) || text.length() > MAX_CHARS) {
      return Optional.empty();
    }
    try {
      JsonNode json = JSON.readTree(text);
      JsonNode caller = json.path("caller");
      String deployment = required(json, "deployment");
      RouteKind route = RouteKind.valueOf(required(json, "route"));
      int status = json.path("status").isInt() ? json.get("status").intValue() : -1;
      if (!known.test(deployment) || status < 100 || status > 599 || !caller.isObject()
          || !caller.path("admin").isBoolean() || !caller.path("routing_headers").isBoolean()) {
        return Optional.empty();
      }
      Caller who = new Caller(optional(caller, "key_id"), optional(caller, "key_hash_prefix"),
          optional(caller, "key_alias"), optional(caller, "team_id"), required(caller, "tenant"),
          caller.get("admin").booleanValue(), caller.get("routing_headers").booleanValue(),
          optional(caller, "client"), new Attribution(optional(caller, "end_user"), tags(caller.get("tags"))));
      UsageReport.Timing timing = new UsageReport.Timing(nanos(json, "sent"), nanos(json, "first_byte"),
          nanos(json, "ended"));
      return Optional.of(new BackgroundCall(new UsageReport.Pending(required(json, "request"),
          required(json, "alias"), deployment, route, false, who), status, timing));
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException malformed) {
      return Optional.empty();
    }
  }

  /** The tags of a call, none when the field is absent (a call kept before they were); a tag not a string fails. */
  private static List<String> tags(JsonNode tags) {
    if (tags == null || tags.isNull()) {
      return List.of();
    }
    if (!tags.isArray()) {
      throw new IllegalArgumentException("tags not an array");
    }
    List<String> names = new ArrayList<>(tags.size());
    for (JsonNode tag : tags) {
      if (!tag.isTextual()) {
        throw new IllegalArgumentException("a tag not a string");
      }
      names.add(tag.textValue());
    }
    return names;
  }

  private static String required(JsonNode json, String field) {
    String value = optional(json, field);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + " missing");
    }
    return value;
  }

  private static String optional(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.textValue().length() > MAX_FIELD_CHARS) {
      throw new IllegalArgumentException(field + " not a short string");
    }
    return value.textValue();
  }

  private static long nanos(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new IllegalArgumentException(field + " not a number");
    }
    return Math.max(-1, value.longValue());
  }
}
