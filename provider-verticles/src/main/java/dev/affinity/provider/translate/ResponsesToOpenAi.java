package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.JsonBody;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.openai.OpenAiUsage;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * A Responses API client on an OpenAI-API deployment: passed through to the deployment's {@code /responses}, the
 * body as the router made it (model replaced), answers, streams and errors as they come, but for the response ids.
 * A stored response exists only at the account that made it, so every id the client sees names the deployment too
 * ({@link ResponseIds}): the response's {@code id} (and the {@code previous_response_id} it echoes) in a complete
 * answer and in every streamed event that carries the response; a request's {@code previous_response_id} goes
 * upstream as the upstream's own id (the router sent the request to the deployment the id names). The operations on
 * a stored response (retrieve, delete, cancel, input items) send no body; their answers get the same ids.
 */
public final class ResponsesToOpenAi implements Translator {

  /** Exact numbers: a relayed answer keeps its values as the upstream wrote them. */
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  @Override
  public ClientApi client() {
    return ClientApi.RESPONSES;
  }

  @Override
  public ProviderKind upstream() {
    return ProviderKind.OPENAI;
  }

  @Override
  public JsonNode canonical(JsonNode clientBody) {
    return clientBody;
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    if (call.request().operation().onStoredResponse()) {
      // retrieve, delete, cancel and input items take no body: the id is in the path
      return Buffer.buffer();
    }
    JsonNode asked = call.request().json();
    if (asked != null && !asked.path(ResponseIds.PREVIOUS_RESPONSE_ID).isTextual()) {
      return call.body();
    }
    ObjectNode body;
    try {
      body = (ObjectNode) JSON.readTree(call.body().getBytes());
    } catch (IOException | ClassCastException unreadable) {
      throw new TranslationException("request body must be a JSON object");
    }
    JsonNode previous = body.get(ResponseIds.PREVIOUS_RESPONSE_ID);
    if (previous == null || !previous.isTextual()) {
      return call.body();
    }
    ResponseIds.Origin origin = ResponseIds.origin(previous.textValue())
        .filter(named -> named.deploymentId().equals(call.deployment().id()))
        .orElseThrow(() -> new TranslationException(ResponseIds.PREVIOUS_RESPONSE_ID
            + ": not a response of the deployment this request was sent to", ResponseIds.PREVIOUS_RESPONSE_ID));
    body.put(ResponseIds.PREVIOUS_RESPONSE_ID, origin.upstreamId());
    return JsonBody.of(body);
  }

  @Override
  public Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      return Answer.relayed(body, TokenUsage.NONE, status >= 400 ? "server_error" : null);
    }
    if (status >= 400 || json == null || !json.isObject()) {
      return Answer.relayed(body, TokenUsage.NONE,
          status >= 400 ? json == null ? "server_error" : json.path("error").path("type").asText("server_error")
              : null);
    }
    if (call.request().operation().onStoredResponse()) {
      // not a model call: the usage a response object reports is the call's that made it (the router books a
      // background one's with it). A response object (retrieved, cancelled, or the deletion's answer) carries the id
      // the client has; a list of input items carries item ids, which are not response ids and stay as they are
      if (!"response".equals(json.path("object").asText())) {
        return Answer.relayed(body, TokenUsage.NONE, null);
      }
      TokenUsage made = OpenAiUsage.ofResponse(json.get("usage"));
      named((ObjectNode) json, call.deployment().id());
      return Answer.relayed(JsonBody.of(json), made == null ? TokenUsage.NONE : made, null);
    }
    TokenUsage usage = OpenAiUsage.ofResponse(json.get("usage"));
    named((ObjectNode) json, call.deployment().id());
    return Answer.relayed(JsonBody.of(json), usage == null ? TokenUsage.NONE : usage, null);
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    JsonNode request = call.request().json();
    return new ResponseEventStream(call.deployment().id(),
        request != null && request.path("background").asBoolean(false));
  }

  /** Gives a response object's {@code id} and {@code previous_response_id} the gateway's form, in place. */
  static void named(ObjectNode response, String deploymentId) {
    for (String field : new String[] {"id", ResponseIds.PREVIOUS_RESPONSE_ID}) {
      JsonNode id = response.get(field);
      if (id != null && id.isTextual() && !id.textValue().isEmpty()) {
        response.put(field, ResponseIds.of(deploymentId, id.textValue()));
      }
    }
  }
}
