package dev.affinity.router.cache;

/** How an {@link AffinityDecision} chose its deployment. */
public enum RouteKind {
  /** A live pin of the prompt's prefix points to an eligible deployment: the request follows it. */
  PINNED,
  /** No pin found: the normal strategy chose, and the request claims its prefixes for that deployment. */
  CLAIMED,
  /** Nothing worth pinning (no marker, or every marked prefix is under the model's minimum): normal strategy. */
  UNPINNED,
  /** The longest pin points to a deployment that is gone or not eligible: it is replaced by the chosen one. */
  REPINNED,
  /**
   * The longest pin points to a deployment with no rate-limit headroom: the request goes to the next deployment of
   * the prefix's spread ({@link HotPrefixSpread}) and the pin stays where it is.
   */
  SPILLED,
  /**
   * A new session whose shared prefix (tools, system) is pinned only to deployments past the balance bounds: it opens
   * a new owner of that prefix on the least-loaded deployment, which writes it once ({@link Balance}).
   */
  BALANCED,
  /**
   * The client's session id is pinned to an eligible deployment and no pinned prefix of the prompt decided: the
   * request stays with its session ({@link SessionKey}), breakpoints or not.
   */
  SESSION
}
