package dev.affinity.provider.openai;

import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.openai.OpenAiSettings;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.translate.ResponseIds;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Calls OpenAI's Chat Completions API (or its Responses API, for a Responses client), or any server or provider
 * that speaks it (vLLM, SGLang, Azure, Groq...): the body goes out as the call's translator makes it, the answer comes
 * back through it (byte for byte for Chat Completions); and the stored responses of the Responses API (retrieve,
 * delete, cancel, input items) at the deployment that made them. Where the call goes and how the key travels is the
 * deployment's {@link OpenAiSettings}.
 */
public final class OpenAiVerticle extends ProviderVerticle {

  @Override
  protected ProviderKind kind() {
    return ProviderKind.OPENAI;
  }

  @Override
  protected RequestOptions request(ProviderCall call) {
    Deployment deployment = call.deployment();
    OpenAiSettings api = deployment.settings(OpenAiSettings.class);
    Operation operation = call.request().operation();
    RequestOptions options = operation.onStoredResponse() ? storedResponse(call, api)
        : new RequestOptions().setMethod(HttpMethod.POST)
            .setAbsoluteURI(operation == Operation.RESPONSES ? api.responsesUri(deployment.apiBase())
                : api.chatCompletionsUri(deployment.apiBase(), deployment.upstreamModel(call.request().model())))
            .putHeader("content-type", "application/json");
    if (deployment.apiKey().present()) {
      if (api.apiKeyHeader(deployment.apiBase())) {
        options.putHeader("api-key", deployment.apiKey().value());
      } else {
        options.putHeader("authorization", "Bearer " + deployment.apiKey().value());
      }
    }
    return options;
  }

  /**
   * The request of an operation on a stored response: its method and path under {@code /responses/{id}}, the
   * upstream's own id in place of the gateway's ({@link ResponseIds}), the client's query as the ingress kept it.
   */
  private static RequestOptions storedResponse(ProviderCall call, OpenAiSettings api) {
    Deployment deployment = call.deployment();
    String upstreamId = ResponseIds.origin(call.request().storedId())
        .filter(origin -> origin.deploymentId().equals(deployment.id()))
        .map(ResponseIds.Origin::upstreamId)
        // the router sent it here because the id names this deployment: anything else is a bug, not the client's
        .orElseThrow(() -> new IllegalStateException("a stored response's id does not name the deployment called"));
    Operation operation = call.request().operation();
    HttpMethod method = switch (operation) {
      case RESPONSE_DELETE -> HttpMethod.DELETE;
      case RESPONSE_CANCEL -> HttpMethod.POST;
      default -> HttpMethod.GET;
    };
    String suffix = switch (operation) {
      case RESPONSE_CANCEL -> "/cancel";
      case RESPONSE_INPUT_ITEMS -> "/input_items";
      default -> "";
    };
    return new RequestOptions().setMethod(method)
        .setAbsoluteURI(api.storedResponseUri(deployment.apiBase(), upstreamId, suffix, call.request().query()));
  }

  @Override
  protected boolean relayed(String header) {
    return header.equals("x-request-id") || header.equals("retry-after") || header.equals("retry-after-ms")
        || header.startsWith("x-ratelimit-") || header.startsWith("openai-");
  }
}
