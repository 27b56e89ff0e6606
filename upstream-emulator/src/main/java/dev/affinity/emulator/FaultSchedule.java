package dev.affinity.emulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Faults waiting for requests, first injected first played. */
final class FaultSchedule {

  private final List<Armed> armed = new ArrayList<>();

  private static final class Armed {
    final Fault fault;
    int remaining;

    Armed(Fault fault) {
      this.fault = fault;
      this.remaining = fault.count();
    }
  }

  synchronized void arm(Fault fault) {
    armed.add(new Armed(fault));
  }

  /** The fault the next request of {@code account} gets, if any, used up by this call. */
  synchronized Fault take(String account) {
    Iterator<Armed> iterator = armed.iterator();
    while (iterator.hasNext()) {
      Armed next = iterator.next();
      if (next.fault.account() == null || next.fault.account().equals(account)) {
        if (next.remaining != Fault.UNTIL_CLEARED && --next.remaining == 0) {
          iterator.remove();
        }
        return next.fault;
      }
    }
    return null;
  }

  synchronized List<Fault> pending() {
    List<Fault> faults = new ArrayList<>();
    for (Armed next : armed) {
      faults.add(next.remaining == Fault.UNTIL_CLEARED ? next.fault : next.fault.times(next.remaining));
    }
    return faults;
  }

  synchronized void clear() {
    armed.clear();
  }
}
