package dev.affinity.provider.openai;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import dev.affinity.model.provider.ProviderSettings;
import dev.affinity.provider.UpstreamPath;
import java.util.Objects;

/**
 * How an OpenAI-API deployment is addressed: which OpenAI-compatible provider it is, and for Azure the
 * {@code api-version}.
 *
 * @param api        the provider, from the model prefix
 * @param apiVersion {@code api_version}: required by Azure OpenAI (defaulted), optional for Azure AI, else null
 */
public record OpenAiSettings(OpenAiCompatible api, String apiVersion) implements ProviderSettings {

  /** OpenAI itself, and the settings of OpenAI-API deployments built without any. */
  public static final OpenAiSettings OPENAI = new OpenAiSettings(OpenAiCompatible.OPENAI, null);

  public OpenAiSettings {
    Objects.requireNonNull(api, "api");
  }

  @Override
  public String providerName() {
    return OpenAiProvider.NAME;
  }

  /** OpenAI and self-hosted servers keep the form their ids were first derived in; the others their own prefix. */
  @Override
  public String litellmPrefix() {
    return api.namedAsOpenAi() ? OpenAiCompatible.OPENAI.prefix() : api.prefix();
  }

  /**
   * The Chat Completions URL of a deployment at {@code apiBase} serving {@code model}. The model becomes part of the
   * path only for Azure (its deployment name), percent-encoded: with a wildcard deployment it comes from the client.
   */
  public String chatCompletionsUri(String apiBase, String model) {
    String query = apiVersion == null ? "" : "?api-version=" + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8);
    return switch (api) {
      case AZURE -> apiBase + "/openai/deployments/"
          + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20") + "/chat/completions" + query;
      case AZURE_AI -> apiBase + (azureHost(apiBase, ".services.ai.azure.com") ? "/models" : "")
          + "/chat/completions" + query;
      default -> apiBase + "/chat/completions";
    };
  }

  /**
   * The Responses API URL of a deployment at {@code apiBase}: {@code /responses} beside {@code /chat/completions}; for
   * Azure OpenAI, {@code /openai/responses} with the {@code api-version}, as LiteLLM calls it.
   */
  public String responsesUri(String apiBase) {
    String query = apiVersion == null ? "" : "?api-version=" + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8);
    return api == OpenAiCompatible.AZURE ? apiBase + "/openai/responses" + query : apiBase + "/responses";
  }

  /**
   * The URL of the stored response {@code upstreamId} at {@code apiBase} ({@code /responses/{id}} beside
   * {@link #responsesUri}), then {@code suffix} ({@code /cancel}, {@code /input_items}, or empty) and the client's
   * {@code query} (already encoded, or null); the id is one path segment whatever it holds.
   */
  public String storedResponseUri(String apiBase, String upstreamId, String suffix, String query) {
    String uri = responsesUri(apiBase);
    int versioned = uri.indexOf('?');
    String path = versioned < 0 ? uri : uri.substring(0, versioned);
    String version = versioned < 0 ? null : uri.substring(versioned + 1);
    String joined = version == null ? query : query == null ? version : version + "&" + query;
    return path + "/" + UpstreamPath.segment(upstreamId, "") + suffix + (joined == null ? "" : "?" + joined);
  }

  /** Whether the key goes in an {@code api-key} header rather than {@code Authorization: Bearer}. */
  public boolean apiKeyHeader(String apiBase) {
    return api.auth() == OpenAiCompatible.Auth.API_KEY_HEADER || api.auth() == OpenAiCompatible.Auth.AZURE_AI
        && (azureHost(apiBase, ".services.ai.azure.com") || azureHost(apiBase, ".openai.azure.com"));
  }

  private static boolean azureHost(String apiBase, String suffix) {
    String host = URI.create(apiBase).getHost();
    return host != null && host.endsWith(suffix);
  }
}
