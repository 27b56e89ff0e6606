package dev.affinity.model.provider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The registry: every {@link Provider} on the class path, found once by {@link ServiceLoader}. The only place that
 * knows which providers exist.
 */
public final class Providers {

  private static final Map<String, Provider> BY_NAME = load();

  private Providers() {
  }

  private static Map<String, Provider> load() {
    Map<String, Provider> byName = new LinkedHashMap<>();
    Map<String, String> prefixOwner = new LinkedHashMap<>();
    for (Provider provider : ServiceLoader.load(Provider.class, Providers.class.getClassLoader())) {
      Provider previous = byName.putIfAbsent(provider.name(), provider);
      if (previous != null) {
        throw new IllegalStateException("two providers named '" + provider.name() + "': "
            + previous.getClass().getName() + " and " + provider.getClass().getName());
      }
      for (String prefix : provider.prefixes()) {
        String owner = prefixOwner.putIfAbsent(prefix, provider.name());
        if (owner != null) {
          throw new IllegalStateException("prefix '" + prefix + "/' claimed by providers " + owner + " and "
              + provider.name());
        }
      }
    }
    return Map.copyOf(byName);
  }

  /** Every registered provider, ordered by name (so that the node deploys them, and messages list them, alike). */
  public static List<Provider> all() {
    return BY_NAME.values().stream().sorted(java.util.Comparator.comparing(Provider::name)).toList();
  }

  /** The provider named {@code name}; fails when none is registered (a settings record of an absent provider). */
  public static Provider named(String name) {
    Provider provider = BY_NAME.get(name);
    if (provider == null) {
      throw new IllegalStateException("no provider '" + name + "' is registered (META-INF/services/"
          + Provider.class.getName() + ")");
    }
    return provider;
  }

  /** The provider that serves the LiteLLM prefix {@code prefix}, if any. */
  public static Optional<Provider> forPrefix(String prefix) {
    return all().stream().filter(provider -> provider.prefixes().contains(prefix)).findFirst();
  }

  /** Every served prefix, comma separated in a stable order, for messages. */
  public static String supportedPrefixes() {
    return all().stream().flatMap(provider -> provider.prefixes().stream()).collect(Collectors.joining(", "));
  }
}
