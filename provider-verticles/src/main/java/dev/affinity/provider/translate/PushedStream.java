package dev.affinity.provider.translate;

import java.util.ArrayList;
import java.util.List;

/**
 * What a stream rewritten from one SSE API into another does whatever the two APIs: take the upstream body as it
 * arrives ({@link #feed}), hand each complete event to the subclass, and give back the frames that event made;
 * close the stream at the upstream's end ({@link #finish}): completed when the model said why it stopped, else failed,
 * so that a cut answer never passes for a whole one. Holds back only the one event in progress, and refuses one
 * larger than {@link #MAX_EVENT_BYTES}.
 *
 * <p>Not thread-safe: one instance per response, fed from the context that reads the upstream body.
 */
abstract class PushedStream {

  /** Larger than any event an upstream sends (deltas are small); beyond it the upstream is not speaking its API. */
  static final int MAX_EVENT_BYTES = 4 << 20;

  private final SseEventReader reader = new SseEventReader(MAX_EVENT_BYTES);
  private final SseEventReader.Listener onEvent = this::onOpenEvent;
  private List<String> out = new ArrayList<>();
  private boolean ended;

  /**
   * Consumes the next piece of the upstream body.
   *
   * @return the frames to write now, possibly none; nothing once the stream has ended
   */
  public final List<String> feed(byte[] bytes, int offset, int length) {
    if (ended) {
      return List.of();
    }
    try {
      reader.feed(bytes, offset, length, onEvent);
    } catch (SseEventReader.EventTooLarge e) {
      fail("api_error", "The upstream model sent an event too large to relay.");
    }
    return drain();
  }

  /** As {@link #feed(byte[], int, int)} for the whole array. */
  public final List<String> feed(byte[] bytes) {
    return feed(bytes, 0, bytes.length);
  }

  /** The upstream body has ended: the frames that close the stream, if it is not closed already. */
  public final List<String> finish() {
    if (!ended) {
      reader.end(onEvent);
    }
    if (!ended) {
      settle();
    }
    return drain();
  }

  /**
   * The upstream says its stream is over (its body ended, or an end marker came): completed when the model said why it
   * stopped, else failed, a cut answer.
   */
  final void settle() {
    if (stopped()) {
      complete();
    } else {
      fail("api_error", "The upstream model's stream ended before the response was complete.");
    }
  }

  /** Whether the stream has ended (completed, or an error produced); later input is ignored. */
  public final boolean isEnded() {
    return ended;
  }

  /** One complete upstream event, while the stream is open. */
  abstract void onEvent(String eventName, String data);

  /** Whether the model said why it stopped: the stream may then be completed though its last event is missing. */
  abstract boolean stopped();

  /** Writes the frames that close a whole answer, then {@link #end}s. */
  abstract void complete();

  /** Writes the client API's error frame for {@code anthropicType}, then {@link #end}s. */
  abstract void fail(String anthropicType, String message);

  /** A frame for the client, in order. */
  final void emit(String frame) {
    out.add(frame);
  }

  /** The stream is over: nothing more is read or written. */
  final void end() {
    ended = true;
  }

  private void onOpenEvent(String eventName, String data) {
    if (!ended) {
      onEvent(eventName, data);
    }
  }

  private List<String> drain() {
    if (out.isEmpty()) {
      return List.of();
    }
    List<String> frames = out;
    out = new ArrayList<>();
    return frames;
  }
}
