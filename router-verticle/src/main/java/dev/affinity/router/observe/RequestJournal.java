package dev.affinity.router.observe;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.function.LongSupplier;

/**
 * What the web console shows over time on this node: the last calls booked, and per-interval totals of prompt tokens,
 * cache reads, cost and cost without cache, from which it draws hit rate and money saved. Bounded: a fixed number of
 * calls and of intervals. Thread-safe (the router writes, HTTP verticles read).
 */
public final class RequestJournal {

  /** One booked upstream call as the console lists it; names from the configuration, never a client's string. */
  public record Call(long atMillis, String requestId, String alias, String deployment, String route, int status,
                     long inputTokens, long cacheReadTokens, long cacheWriteTokens, long outputTokens,
                     double costUsd, double savedUsd, long latencyMillis) {
  }

  private final int maxCalls;
  private final long intervalMillis;
  private final int maxIntervals;
  private final LongSupplier clock;
  private final Deque<Call> calls = new ArrayDeque<>();
  private final Deque<long[]> intervals = new ArrayDeque<>();
  private final Deque<double[]> money = new ArrayDeque<>();

  public RequestJournal(int maxCalls, long intervalMillis, int maxIntervals, LongSupplier clock) {
    this.maxCalls = maxCalls;
    this.intervalMillis = intervalMillis;
    this.maxIntervals = maxIntervals;
    this.clock = clock;
  }

  public synchronized void add(Call call) {
    calls.addFirst(call);
    if (calls.size() > maxCalls) {
      calls.removeLast();
    }
    long start = call.atMillis() - call.atMillis() % intervalMillis;
    if (intervals.isEmpty() || intervals.peekLast()[0] != start) {
      intervals.addLast(new long[] {start, 0, 0, 0});
      money.addLast(new double[] {0, 0});
      while (intervals.size() > maxIntervals) {
        intervals.removeFirst();
        money.removeFirst();
      }
    }
    long[] totals = intervals.peekLast();
    totals[1]++;
    totals[2] += call.inputTokens() + call.cacheReadTokens() + call.cacheWriteTokens();
    totals[3] += call.cacheReadTokens();
    double[] usd = money.peekLast();
    usd[0] += call.costUsd();
    usd[1] += call.savedUsd();
  }

  /** The last {@code limit} calls, newest first, and every interval kept, oldest first. */
  public synchronized JsonObject toJson(int limit) {
    JsonArray recent = new JsonArray();
    for (Call call : calls) {
      if (recent.size() >= limit) {
        break;
      }
      recent.add(new JsonObject().put("at", Instant.ofEpochMilli(call.atMillis()).toString())
          .put("request", call.requestId()).put("alias", call.alias()).put("deployment", call.deployment())
          .put("route", call.route()).put("status", call.status()).put("input_tokens", call.inputTokens())
          .put("cache_read_tokens", call.cacheReadTokens()).put("cache_write_tokens", call.cacheWriteTokens())
          .put("output_tokens", call.outputTokens()).put("cost_usd", call.costUsd())
          .put("saved_usd", call.savedUsd()).put("latency_ms", call.latencyMillis()));
    }
    JsonArray history = new JsonArray();
    Iterator<double[]> usd = money.iterator();
    for (long[] totals : intervals) {
      double[] spent = usd.next();
      history.add(new JsonObject().put("at", Instant.ofEpochMilli(totals[0]).toString()).put("requests", totals[1])
          .put("prompt_tokens", totals[2]).put("cache_read_tokens", totals[3])
          .put("hit_rate", totals[2] == 0 ? 0 : (double) totals[3] / totals[2])
          .put("cost_usd", spent[0]).put("saved_usd", spent[1]));
    }
    return new JsonObject().put("now", Instant.ofEpochMilli(clock.getAsLong()).toString())
        .put("interval_seconds", intervalMillis / 1000).put("recent", recent).put("history", history);
  }
}
