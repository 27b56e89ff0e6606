package dev.affinity.model.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * LiteLLM's per-deployment call settings besides the endpoint and key.
 *
 * @param order               {@code order}, or {@code null}: as in LiteLLM, when any deployment of an alias that may
 *                            take a request has an order, only those of the lowest order do; a higher order (or no
 *                            order) is used only while every lower one is cooling down, full or has failed this
 *                            request
 * @param maxParallelRequests {@code max_parallel_requests}: calls this node sends to the deployment at once, or
 *                            {@code null} for no limit
 * @param streamTimeout       {@code stream_timeout}: the upstream timeout of streamed calls, or {@code null} to use
 *                            {@link Deployment#timeout()}
 * @param extraHeaders        {@code extra_headers}: sent with every upstream call; values are secrets (they often
 *                            carry a token), names lower-case
 * @param dropParams          {@code drop_params} (the deployment's, else {@code litellm_settings}'; null while not
 *                            resolved, read as false): what a client sends
 *                            that the deployment's API cannot take is dropped, as LiteLLM drops it, rather than
 *                            refused with a 400 (see docs/translation.md for what each pair drops)
 * @param tags                {@code tags}: added to the request tags of a virtual key's calls to the deployment, as
 *                            LiteLLM adds them (its tag routing is not served); empty for none
 */
public record CallSettings(Integer order, Integer maxParallelRequests, Duration streamTimeout,
                           Map<String, Secret> extraHeaders, Boolean dropParams, List<String> tags) {

  public static final CallSettings DEFAULTS = new CallSettings(null, null, null, Map.of());

  public CallSettings {
    extraHeaders = Map.copyOf(Objects.requireNonNull(extraHeaders, "extraHeaders"));
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** Settings that leave {@code drop_params} to the default. */
  public CallSettings(Integer order, Integer maxParallelRequests, Duration streamTimeout,
                      Map<String, Secret> extraHeaders) {
    this(order, maxParallelRequests, streamTimeout, extraHeaders, null, List.of());
  }

  /** Whether parameters the deployment's API cannot take are dropped rather than refused. */
  public boolean dropsParams() {
    return Boolean.TRUE.equals(dropParams);
  }
}
