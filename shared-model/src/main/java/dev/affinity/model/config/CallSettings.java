package dev.affinity.model.config;

import java.time.Duration;
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
 */
public record CallSettings(Integer order, Integer maxParallelRequests, Duration streamTimeout,
                           Map<String, Secret> extraHeaders) {

  public static final CallSettings DEFAULTS = new CallSettings(null, null, null, Map.of());

  public CallSettings {
    extraHeaders = Map.copyOf(Objects.requireNonNull(extraHeaders, "extraHeaders"));
  }
}
