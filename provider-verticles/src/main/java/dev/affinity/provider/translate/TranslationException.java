package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An OpenAI request that has no faithful Anthropic form. The message is written for the client, in OpenAI's words,
 * and never quotes message content; {@link #param()} names the offending field the way OpenAI does
 * ({@code messages.[2].content.[0].type}).
 */
public final class TranslationException extends RuntimeException {

  private final String param;

  /** A request this upstream cannot take as a whole. */
  public TranslationException(String message) {
    this(message, null);
  }

  public TranslationException(String message, String param) {
    // a client mistake, not a fault: no stack trace to fill on the request path
    super(message, null, false, false);
    this.param = param;
  }

  /** The offending field, or null when the request as a whole is at fault. */
  public String param() {
    return param;
  }

  /** The body to answer with status 400: {@code {"error":{"message","type","param","code"}}}. */
  public ObjectNode toOpenAiError() {
    ObjectNode error = JsonNodeFactory.instance.objectNode()
        .put("message", getMessage())
        .put("type", "invalid_request_error")
        .put("param", param);
    error.putNull("code");
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("error", error);
    return body;
  }
}
