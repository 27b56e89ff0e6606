package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Everything about one (client API, upstream API) pair that is shape rather than transport: one implementation per
 * pair, named {@code <Client>To<Upstream>}, with its contract test beside it; found through {@link Translators}.
 * Provider verticles keep the transport (address, credentials, signing, sending, bounded bodies) and ask the
 * call's translator for every byte that crosses an API boundary.
 *
 * <p>Who owns what:
 * <ul>
 *   <li>{@link #canonical}: the client's body in the form the prefix chain is computed on (Anthropic Messages for
 *       Claude-family upstreams, OpenAI Chat Completions for OpenAI ones), before any deployment is chosen. The
 *       router routes on it, injects markers into it and hands it to the provider as {@link ProviderCall#body()}.</li>
 *   <li>{@link #requestBody}: that canonical body as the chosen upstream's wire body.</li>
 *   <li>{@link #answer}: a complete upstream answer (success or error) as the client's answer, with its usage and
 *       error type. Same-API pairs pass upstream error bodies through unmodified.</li>
 *   <li>{@link #stream}: a fresh {@link StreamTranslation} per streamed answer: upstream bytes in whatever framing,
 *       client bytes out, usage and error type at its end.</li>
 *   <li>{@link #error}: an error the gateway itself raises, in the client's shape.</li>
 * </ul>
 * Implementations are stateless and shared; only a {@link StreamTranslation} holds state, for one stream.
 */
public interface Translator {

  /** The API the client speaks. */
  ClientApi client();

  /** The API the upstream speaks. */
  ProviderKind upstream();

  /**
   * The client's request body in the pair's canonical form (for the prefix chain and marker injection). The same
   * tree when the client already speaks it.
   *
   * @throws TranslationException when the body cannot be expressed for this upstream: the client's mistake (400)
   */
  JsonNode canonical(JsonNode clientBody);

  /**
   * The client's request body without what this upstream cannot take and the pair would refuse, for deployments with
   * LiteLLM's {@code drop_params}; the same tree when there is nothing to drop (the default: most pairs refuse
   * nothing that a client could sensibly send without it).
   */
  default JsonNode droppingUnserved(JsonNode clientBody) {
    return clientBody;
  }

  /**
   * The body to send upstream for {@code call}, whose {@link ProviderCall#body()} is in the canonical form.
   *
   * @throws TranslationException when the body cannot be sent to this upstream: the client's mistake (400)
   */
  Buffer requestBody(ProviderCall call);

  /**
   * A complete upstream answer as the client receives it.
   *
   * @param status  the upstream's HTTP status
   * @param headers the upstream's response headers (some upstreams type their errors there)
   */
  Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body);

  /**
   * A fresh translation for one streamed answer to {@code call}. It copies what it needs out of the call: a stream
   * outlives the call by far.
   */
  StreamTranslation stream(ProviderCall call);

  /** An error the gateway raises for this client (a refusal, a timeout, an unreachable upstream), in its shape. */
  default Buffer error(GatewayError error) {
    return error.toJson(client()).toBuffer();
  }
}
