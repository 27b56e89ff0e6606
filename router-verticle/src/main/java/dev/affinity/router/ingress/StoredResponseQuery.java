package dev.affinity.router.ingress;

import dev.affinity.model.GatewayError;
import dev.affinity.model.Operation;
import dev.affinity.router.node.LogLine;
import io.vertx.core.MultiMap;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The query string of an operation on a stored response, as it goes upstream: the parameters OpenAI documents for
 * that operation, re-encoded; anything else is refused (a 400 naming it) rather than sent with the deployment's key.
 * A retrieve may ask for the response's events ({@code stream=true}, with {@code starting_after} and
 * {@code include_obfuscation}, which only a stream reads): OpenAI streams a background response created streamed,
 * so that a client that lost its stream resumes it.
 */
final class StoredResponseQuery {

  private static final Set<String> RETRIEVE = Set.of("include", "include[]");
  private static final Set<String> INPUT_ITEMS = Set.of("after", "before", "limit", "order", "include", "include[]");
  private static final Set<String> STREAM_ONLY = Set.of("starting_after", "include_obfuscation");

  private StoredResponseQuery() {
  }

  /**
   * The query to send upstream for {@code operation} given the client's {@code params}; null when there is none.
   *
   * @throws dev.affinity.model.GatewayErrorException a 400 naming a parameter the operation does not take
   */
  static String upstream(Operation operation, MultiMap params) {
    Set<String> allowed = switch (operation) {
      case RESPONSE_RETRIEVE -> RETRIEVE;
      case RESPONSE_INPUT_ITEMS -> INPUT_ITEMS;
      default -> Set.of();
    };
    boolean streamed = streamed(operation, params);
    StringBuilder query = new StringBuilder();
    for (var param : params) {
      String name = param.getKey();
      if (operation == Operation.RESPONSE_RETRIEVE && (name.equals("stream") || STREAM_ONLY.contains(name))) {
        if (name.equals("stream") && !"true".equals(param.getValue())) {
          continue;
        }
        if (!streamed) {
          throw GatewayError.invalidField(name, LogLine.clip(name, 60) + " is read only with stream=true")
              .toReplyException();
        }
      } else if (!allowed.contains(name)) {
        throw GatewayError.invalidField(name, "unknown query parameter '" + LogLine.clip(name, 60) + "' for "
            + endpoint(operation)).toReplyException();
      }
      query.append(query.isEmpty() ? "" : "&").append(encoded(name)).append('=').append(encoded(param.getValue()));
    }
    return query.isEmpty() ? null : query.toString();
  }

  /** Whether {@code params} ask for a retrieve's events rather than the response object. */
  static boolean streamed(Operation operation, MultiMap params) {
    return operation == Operation.RESPONSE_RETRIEVE && "true".equals(params.get("stream"));
  }

  private static String endpoint(Operation operation) {
    return switch (operation) {
      case RESPONSE_RETRIEVE -> "GET /v1/responses/{id}";
      case RESPONSE_DELETE -> "DELETE /v1/responses/{id}";
      case RESPONSE_CANCEL -> "POST /v1/responses/{id}/cancel";
      case RESPONSE_INPUT_ITEMS -> "GET /v1/responses/{id}/input_items";
      default -> operation.api().endpoint();
    };
  }

  private static String encoded(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
