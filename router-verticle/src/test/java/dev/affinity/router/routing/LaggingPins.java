package dev.affinity.router.routing;

import java.util.Collection;

/** An in-memory pin store whose reads, while {@code lagging}, see nothing: a node's view not yet updated. */
final class LaggingPins extends ForwardingPins {

  volatile boolean lagging;

  @Override
  public Found read(Collection<String> keys) {
    return lagging ? Found.NOTHING : applied.read(keys);
  }
}
