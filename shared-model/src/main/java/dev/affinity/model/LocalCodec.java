package dev.affinity.model;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes an immutable record between verticles of one node by reference. Types registered with it never leave the
 * node: encoding them for the wire is a programming error.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the codecs of every message type that crosses module lines; safe to call more than once. */
  public static void registerAll(EventBus eventBus) {
    register(eventBus, GatewayRequest.class);
    register(eventBus, GatewayReply.class);
    register(eventBus, ProviderCall.class);
    // failure replies: Vert.x looks a ReplyException's codec up by its class, so a local one passes it by reference
    register(eventBus, GatewayErrorException.class);
    // a provider's, with the call's outcome
    register(eventBus, FailedCall.class);
  }

  private static <T> void register(EventBus eventBus, Class<T> type) {
    try {
      eventBus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // several verticles of one Vert.x instance register on start; the first one wins
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is local to a node");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is local to a node");
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "affinity-local-" + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
