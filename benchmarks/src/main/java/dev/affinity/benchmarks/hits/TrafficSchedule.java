package dev.affinity.benchmarks.hits;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * When each turn of each session is sent, on a virtual clock: sessions start at random times over a window and
 * proceed turn by turn with think times between them, so sessions of different tenants overlap and their requests
 * interleave as real agent traffic does. Tool-result turns follow quickly (the agent answers its own tool call);
 * turns the user types take longer; now and then the user pauses for longer than the 5-minute cache TTL.
 *
 * <p>Pure and deterministic: the same arguments give the same schedule.
 */
public final class TrafficSchedule {

  /** One request: turn {@code turn} (1-based) of session {@code session} (an index), sent at {@code atMillis}. */
  public record Slot(int session, int turn, long atMillis) {
  }

  /** How sessions arrive and how long their turns are apart. */
  public record Pacing(long arrivalWindowMillis, long toolTurnMinMillis, long toolTurnMaxMillis,
      long typedTurnMinMillis, long typedTurnMaxMillis, double pauseProbability, long pauseMinMillis,
      long pauseMaxMillis) {

    /**
     * Sessions start over 30 minutes; a tool result follows in 3 to 20 s, a typed turn in 20 to 120 s; one gap in
     * 20 is a pause of 6 to 15 minutes, after which the session's own prefix has expired from the cache.
     */
    public static final Pacing AGENT = new Pacing(30 * 60_000L, 3_000, 20_000, 20_000, 120_000, 0.05,
        6 * 60_000L, 15 * 60_000L);

    public Pacing {
      if (arrivalWindowMillis < 1 || toolTurnMinMillis < 0 || toolTurnMaxMillis < toolTurnMinMillis
          || typedTurnMinMillis < 0 || typedTurnMaxMillis < typedTurnMinMillis || pauseProbability < 0
          || pauseProbability > 1 || pauseMinMillis < 0 || pauseMaxMillis < pauseMinMillis) {
        throw new IllegalArgumentException("inconsistent pacing");
      }
    }
  }

  private TrafficSchedule() {
  }

  /**
   * Every turn of every session, in the order they are sent (by time; ties by session, then turn).
   *
   * @param sessions how many sessions
   * @param turns    requests per session
   */
  public static List<Slot> of(int sessions, int turns, long seed, Pacing pacing) {
    if (sessions < 1 || turns < 1) {
      throw new IllegalArgumentException("sessions and turns must be at least 1");
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Slot> slots = new ArrayList<>(sessions * turns);
    for (int session = 0; session < sessions; session++) {
      long at = random.nextLong(pacing.arrivalWindowMillis());
      for (int turn = 1; turn <= turns; turn++) {
        slots.add(new Slot(session, turn, at));
        at += gapAfter(turn, random, pacing);
      }
    }
    slots.sort(Comparator.comparingLong(Slot::atMillis).thenComparingInt(Slot::session)
        .thenComparingInt(Slot::turn));
    return List.copyOf(slots);
  }

  /**
   * The think time before turn {@code turn + 1}. {@code Session} makes even turns tool results and odd ones typed
   * text, so the gap before an even turn is a tool turn's.
   */
  private static long gapAfter(int turn, SplittableRandom random, Pacing pacing) {
    if (random.nextDouble() < pacing.pauseProbability()) {
      return between(random, pacing.pauseMinMillis(), pacing.pauseMaxMillis());
    }
    boolean nextIsToolResult = (turn + 1) % 2 == 0;
    return nextIsToolResult ? between(random, pacing.toolTurnMinMillis(), pacing.toolTurnMaxMillis())
        : between(random, pacing.typedTurnMinMillis(), pacing.typedTurnMaxMillis());
  }

  private static long between(SplittableRandom random, long min, long max) {
    return min == max ? min : random.nextLong(min, max + 1);
  }
}
