package dev.affinity.provider.translate;

/** A request that cannot be expressed in the upstream's API: the client's mistake, answered with a 400. */
public final class TranslationException extends IllegalArgumentException {

  public TranslationException(String message) {
    super(message);
  }
}
