package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * A pair from a cloud API for Claude (Bedrock InvokeModel, Vertex rawPredict) to a Claude upstream. The client's body
 * becomes the Messages body at the ingress, where the path (which names the model) is known; a successful complete
 * answer is the same message JSON on every side and is relayed as it is. Each pair says its errors and its stream.
 */
abstract class ClaudeCloudPair implements Translator {

  private final ClientApi client;
  private final ProviderKind upstream;

  ClaudeCloudPair(ClientApi client, ProviderKind upstream) {
    this.client = client;
    this.upstream = upstream;
  }

  @Override
  public final ClientApi client() {
    return client;
  }

  @Override
  public final ProviderKind upstream() {
    return upstream;
  }

  /** The ingress already made the Messages body ({@code CloudApiRequest} in the router). */
  @Override
  public final JsonNode canonical(JsonNode clientBody) {
    return clientBody;
  }

  @Override
  public final Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return status < 300 ? success(call, body) : error(call, status, headers, body);
  }

  /** A successful answer as the client gets it: as the upstream sent it, unless the pair says otherwise. */
  Answer success(ProviderCall call, Buffer body) {
    return ClaudeAnswers.relayed(body);
  }

  /** An upstream error answer as the client gets it. */
  abstract Answer error(ProviderCall call, int status, MultiMap headers, Buffer body);
}
