package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * LiteLLM's reports of spend by what calls were made for ({@link dev.affinity.model.Attribution}): per request tag
 * ({@code GET /spend/tags}, {@code /global/spend/tags}, {@code /global/spend/all_tag_names}) and per end user
 * ({@code POST /global/spend/end_users}, {@code GET /global/all_end_users}), in LiteLLM's fields, over the spend log.
 */
final class AttributedSpend {

  /** LiteLLM's {@code tags} value that asks for every tag. */
  static final String ALL_TAGS = "all-tags";
  /** How many end users {@code /global/spend/end_users} lists, the costliest first, as LiteLLM does. */
  static final int TOP_END_USERS = 100;
  /** The most names the two name lists answer (LiteLLM lists all; a bound keeps one answer small). */
  static final int MAX_NAMES = 10_000;
  /** How far back {@code /global/spend/end_users} reads when its body names no start: LiteLLM's 30 days. */
  static final int DEFAULT_DAYS = 30;

  private AttributedSpend() {
  }

  /**
   * The rows {@code /spend/tags} reads: the UTC days from {@code start_date} to {@code end_date} when both are given
   * (LiteLLM takes them and reads every row; here they are applied), else every row.
   *
   * @throws IllegalArgumentException naming the parameter that is wrong
   */
  static SpendFilter tagsFilter(MultiMap parameters) {
    QueryParameters.only(parameters, Set.of("start_date", "end_date"), "/spend/tags takes start_date and end_date"
        + " (YYYY-MM-DD, both or neither)");
    QueryParameters.Days days = QueryParameters.days(parameters, false);
    return days == null ? everything() : SpendFilter.ofDays(null, null, null, days.first(), days.last(), MAX_NAMES);
  }

  /**
   * {@code /spend/tags}: per tag, the costliest first, {@code individual_request_tag}, {@code log_count},
   * {@code total_spend}.
   */
  static JsonArray byTag(List<TenantStore.GroupSpend> spends) {
    JsonArray rows = new JsonArray();
    spends.forEach(spend -> rows.add(new JsonObject().put("individual_request_tag", spend.group())
        .put("log_count", spend.calls()).put("total_spend", spend.costUsd())));
    return rows;
  }

  /** A request of {@code /global/spend/tags}: its days (both required) and the tags asked for, or null for all. */
  record TagQuery(SpendFilter filter, Set<String> tags) {

    /** @throws IllegalArgumentException naming the parameter that is wrong */
    static TagQuery of(MultiMap parameters) {
      QueryParameters.only(parameters, Set.of("start_date", "end_date", "tags"), "/global/spend/tags takes"
          + " start_date and end_date (YYYY-MM-DD) and tags (comma-separated, or " + ALL_TAGS + ")");
      QueryParameters.Days days = QueryParameters.days(parameters, true);
      String tags = parameters.get("tags");
      Set<String> asked = tags == null || tags.isEmpty() ? null : Set.copyOf(Arrays.asList(tags.split(",")));
      return new TagQuery(SpendFilter.ofDays(null, null, null, days.first(), days.last(), MAX_NAMES),
          asked == null || asked.contains(ALL_TAGS) ? null : asked);
    }
  }

  /**
   * {@code /global/spend/tags}, LiteLLM's chart: {@code spend_per_tag}, the costliest first, each its {@code name},
   * {@code spend} (rounded to four decimals, as LiteLLM rounds it) and {@code log_count}.
   */
  static JsonObject chart(List<TenantStore.GroupSpend> spends, Set<String> tags) {
    JsonArray rows = new JsonArray();
    for (TenantStore.GroupSpend spend : spends) {
      if (tags == null || tags.contains(spend.group())) {
        rows.add(new JsonObject().put("name", spend.group())
            .put("spend", BigDecimal.valueOf(spend.costUsd()).setScale(4, RoundingMode.HALF_EVEN).doubleValue())
            .put("log_count", spend.calls()));
      }
    }
    return new JsonObject().put("spend_per_tag", rows);
  }

  /** Every row, for the two name lists. */
  static SpendFilter everything() {
    return new SpendFilter(null, null, null, Long.MIN_VALUE, Long.MAX_VALUE, MAX_NAMES);
  }

  /** {@code /global/spend/all_tag_names}: {@code tag_names}, every tag a call was made with (the costliest first). */
  static JsonObject tagNames(List<TenantStore.GroupSpend> spends) {
    JsonArray names = new JsonArray();
    spends.forEach(spend -> names.add(spend.group()));
    return new JsonObject().put("tag_names", names);
  }

  /** {@code /global/all_end_users}: {@code end_users}, every end user a call was made for. */
  static JsonObject endUserNames(List<TenantStore.GroupSpend> spends) {
    JsonArray names = new JsonArray();
    spends.stream().filter(spend -> spend.group() != null).forEach(spend -> names.add(spend.group()));
    return new JsonObject().put("end_users", names);
  }

  /**
   * The rows a {@code /global/spend/end_users} body asks for: from {@code startTime} (default {@value #DEFAULT_DAYS}
   * days before {@code now}) to before {@code endTime} (default now), each a date or a date and time (UTC unless it
   * says), of the key {@code api_key} names when it names one.
   *
   * @param keyId the key id of an {@code api_key} (the key or its hash), or null for a key that is not there
   * @return empty for a key that is not there: it has no rows
   * @throws IllegalArgumentException naming the field that is wrong
   */
  static Optional<SpendFilter> endUsersFilter(JsonObject body, Instant now, Function<String, String> keyId) {
    for (String field : body.fieldNames()) {
      if (!Set.of("api_key", "startTime", "endTime").contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "': /global/spend/end_users takes api_key,"
            + " startTime and endTime");
      }
    }
    long from = time(body, "startTime", now.minusSeconds(DEFAULT_DAYS * 86_400L));
    long before = time(body, "endTime", now);
    if (before <= from) {
      throw new IllegalArgumentException("endTime must be after startTime");
    }
    Object apiKey = body.getValue("api_key");
    if (apiKey != null && !(apiKey instanceof String)) {
      throw new IllegalArgumentException("api_key must be a string");
    }
    if (apiKey == null || ((String) apiKey).isBlank()) {
      return Optional.of(new SpendFilter(null, null, null, from, before, TOP_END_USERS));
    }
    return Optional.ofNullable(keyId.apply((String) apiKey))
        .map(key -> new SpendFilter(key, null, null, from, before, TOP_END_USERS));
  }

  /**
   * {@code /global/spend/end_users}: per end user, the costliest first, {@code end_user}, {@code total_count},
   * {@code total_spend}.
   */
  static JsonArray byEndUser(List<TenantStore.GroupSpend> spends) {
    JsonArray rows = new JsonArray();
    spends.forEach(spend -> rows.add(new JsonObject().put("end_user", spend.group())
        .put("total_count", spend.calls()).put("total_spend", spend.costUsd())));
    return rows;
  }

  private static long time(JsonObject body, String field, Instant fallback) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback.toEpochMilli();
    }
    if (value instanceof String text) {
      try {
        if (text.length() == 10) {
          return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        }
        try {
          return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException noOffset) {
          return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
      } catch (DateTimeParseException notATime) {
        // answered below
      }
    }
    throw new IllegalArgumentException(field + " must be a date (YYYY-MM-DD) or a date and time"
        + " (YYYY-MM-DDTHH:MM:SS, UTC unless an offset is given)");
  }
}
