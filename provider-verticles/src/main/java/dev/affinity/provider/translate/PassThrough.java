package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.buffer.Buffer;

/**
 * A pair whose client and upstream speak one API: the request is already in its canonical form and goes upstream
 * as the router made it. What is left to a pair is reading its answers and streams (relayed byte for byte).
 */
abstract class PassThrough implements Translator {

  private final ClientApi client;
  private final ProviderKind upstream;

  PassThrough(ClientApi client, ProviderKind upstream) {
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

  @Override
  public final JsonNode canonical(JsonNode clientBody) {
    return clientBody;
  }

  @Override
  public final Buffer requestBody(ProviderCall call) {
    return call.body();
  }
}
