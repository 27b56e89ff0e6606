package dev.affinity.emulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last requests of one account, bounded so that a long benchmark does not grow the heap. */
final class RequestLog {

  private final int capacity;
  private final Deque<CapturedRequest> requests = new ArrayDeque<>();

  RequestLog(int capacity) {
    this.capacity = capacity;
  }

  synchronized void add(CapturedRequest request) {
    if (capacity == 0) {
      return;
    }
    if (requests.size() == capacity) {
      requests.removeFirst();
    }
    requests.addLast(request);
  }

  /** The last {@code limit} requests, oldest first. */
  synchronized List<CapturedRequest> last(int limit) {
    List<CapturedRequest> all = new ArrayList<>(requests);
    return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
  }

  synchronized void clear() {
    requests.clear();
  }
}
