/**
 * Gateway configuration: a LiteLLM-style {@code config.yaml} read once at start-up into immutable records.
 *
 * <p>{@link dev.affinity.model.config.ConfigLoader} validates the whole file before anything starts and reports every
 * problem with its exact path ({@code model_list[2].litellm_params.model: required}). Configuration is plain data:
 * nothing here touches Vert.x, the network or the clock, so every node that reads the same file (and environment)
 * builds the same {@link dev.affinity.model.config.GatewayConfig}, including the same deployment ids.
 *
 * <p>Secrets are carried as {@link dev.affinity.model.config.Secret}, whose {@code toString()} is redacted; no problem
 * or warning message ever quotes a configured value that could be a secret.
 */
package dev.affinity.model.config;
