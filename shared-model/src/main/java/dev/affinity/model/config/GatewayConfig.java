package dev.affinity.model.config;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * A validated configuration file.
 *
 * @param deployments every deployment, in file order
 * @param router      {@code router_settings}
 * @param general     {@code general_settings}
 * @param groups      fallbacks between aliases and other names for them
 * @param warnings    things ignored (unknown keys, unsupported sections), each already prefixed with its path
 * @param server      {@code server_settings}: how the node faces the network (docs/security.md)
 */
public record GatewayConfig(List<Deployment> deployments, RouterSettings router, GeneralSettings general,
                            ModelGroups groups, List<String> warnings, ServerSettings server) {

  /** A configuration with the default {@code server_settings}. */
  public GatewayConfig(List<Deployment> deployments, RouterSettings router, GeneralSettings general,
                       ModelGroups groups, List<String> warnings) {
    this(deployments, router, general, groups, warnings, ServerSettings.DEFAULTS);
  }

  /** A configuration with the given {@code server_settings} and no fallbacks or group aliases. */
  public GatewayConfig(List<Deployment> deployments, RouterSettings router, GeneralSettings general,
                       List<String> warnings, ServerSettings server) {
    this(deployments, router, general, ModelGroups.NONE, warnings, server);
  }

  public GatewayConfig {
    deployments = List.copyOf(deployments);
    Objects.requireNonNull(router, "router");
    Objects.requireNonNull(general, "general");
    Objects.requireNonNull(groups, "groups");
    warnings = List.copyOf(warnings);
    Objects.requireNonNull(server, "server");
  }

  /** A configuration without fallbacks or group aliases. */
  public GatewayConfig(List<Deployment> deployments, RouterSettings router, GeneralSettings general,
                       List<String> warnings) {
    this(deployments, router, general, ModelGroups.NONE, warnings);
  }

  /**
   * The deployments that serve {@code requestedModel}, in file order: those whose alias is exactly the requested name,
   * or else those of the most specific wildcard alias that matches it (longest literal prefix wins:
   * {@code claude-sonnet-*} over {@code claude-*} over {@code *}). Empty when nothing matches.
   */
  public List<Deployment> deploymentsFor(String requestedModel) {
    // LiteLLM resolves model_group_alias before looking at the model list
    return deploymentsOf(groups.groupAliases().getOrDefault(requestedModel, requestedModel));
  }

  private List<Deployment> deploymentsOf(String requestedModel) {
    List<Deployment> exact = deployments.stream().filter(d -> d.alias().equals(requestedModel)).toList();
    if (!exact.isEmpty()) {
      return exact;
    }
    BinaryOperator<String> moreSpecific = (a, b) -> ModelPattern.compareSpecificity(b, a) > 0 ? b : a;
    return deployments.stream()
        .map(Deployment::alias)
        .filter(alias -> ModelPattern.isWildcard(alias) && ModelPattern.capture(alias, requestedModel).isPresent())
        .reduce(moreSpecific)
        .map(best -> deployments.stream().filter(d -> d.alias().equals(best)).toList())
        .orElse(List.of());
  }

  /**
   * LiteLLM's model access groups {@code requestedModel} belongs to: those of the deployments that serve it
   * ({@code model_info.access_groups}). A key or team whose {@code models} names one of them may call it.
   */
  public Set<String> accessGroups(String requestedModel) {
    Set<String> groups = new LinkedHashSet<>();
    deploymentsFor(requestedModel).forEach(deployment -> groups.addAll(deployment.info().accessGroups()));
    return groups;
  }

  /** Every configured alias, in file order, wildcard aliases included, then the group aliases not hidden. */
  public Set<String> aliases() {
    Set<String> aliases = new LinkedHashSet<>();
    deployments.forEach(d -> aliases.add(d.alias()));
    groups.groupAliases().keySet().stream().filter(name -> !groups.hiddenAliases().contains(name)).sorted()
        .forEach(aliases::add);
    return Collections.unmodifiableSet(aliases);
  }

  /** The deployment with {@code id}, if any. */
  public Optional<Deployment> deployment(String id) {
    return deployments.stream().filter(d -> d.id().equals(id)).findFirst();
  }
}
