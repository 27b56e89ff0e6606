package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * The events of a background response created streamed, as they are made, whether or not anyone watches: the client
 * that created it reads them as they come, and a client that lost its stream resumes it with
 * {@code GET /v1/responses/{id}?stream=true&starting_after=N}, the events after sequence number N, then the rest as
 * they come. An event's index is its sequence number. Thread-safe.
 */
final class EventLog {

  private final List<Buffer> events = new ArrayList<>();
  private final List<HttpServerResponse> watching = new ArrayList<>();
  private boolean over;

  synchronized void add(Buffer event) {
    events.add(event);
    watching.removeIf(HttpServerResponse::closed);
    watching.forEach(response -> response.write(event));
  }

  /** No more events: every stream watching ends. */
  synchronized void end() {
    over = true;
    watching.removeIf(HttpServerResponse::closed);
    watching.forEach(HttpServerResponse::end);
    watching.clear();
  }

  /** Writes the events after sequence number {@code after} (-1: all) to {@code response}, then those to come. */
  synchronized void watch(HttpServerResponse response, long after) {
    for (int i = (int) Math.max(0, Math.min(after + 1, events.size())); i < events.size(); i++) {
      response.write(events.get(i));
    }
    if (over) {
      response.end();
    } else {
      watching.add(response);
    }
  }
}
