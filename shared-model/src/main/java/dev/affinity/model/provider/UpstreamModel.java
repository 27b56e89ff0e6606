package dev.affinity.model.provider;

/**
 * The model a deployment sends upstream, or why the gateway cannot serve the entry (then it is skipped with a
 * warning, and the other deployments load).
 *
 * @param id         the upstream model id, without provider prefix; null when unservable
 * @param unservable why the entry is skipped, or null
 */
public record UpstreamModel(String id, String unservable) {

  public static UpstreamModel of(String id) {
    return new UpstreamModel(id, null);
  }

  public static UpstreamModel unservable(String why) {
    return new UpstreamModel(null, why);
  }
}
