package dev.affinity.model;

import java.util.Locale;

/**
 * How the router chose a request's deployment. Typed from the routing decision to the usage report; rendered as its
 * {@link #label()} only at the edges: the {@code x-affinity-route} header, the event-bus answer's {@code route}, log
 * lines, metrics labels, the console and the spend log.
 */
public enum RouteKind {
  /** A live pin of the prompt's prefix points to an eligible deployment: the request follows it. */
  PINNED,
  /** No pin found: the normal strategy chose, and the request claims its prefixes for that deployment. */
  CLAIMED,
  /** Nothing worth pinning (no marker, every marked prefix under the model's minimum, or affinity off). */
  UNPINNED,
  /** The longest pin points to a deployment that is gone or not eligible: it is replaced by the chosen one. */
  REPINNED,
  /**
   * The longest pin points to a deployment with no rate-limit headroom: the request goes to the next deployment of
   * the prefix's spread and the pin stays where it is.
   */
  SPILLED,
  /**
   * A new session whose shared prefix (tools, system) is pinned only to deployments past the balance bounds: it opens
   * a new owner of that prefix on the least-loaded deployment, which writes it once.
   */
  BALANCED,
  /**
   * The client's session id is pinned to an eligible deployment and no pinned prefix of the prompt decided: the
   * request stays with its session, breakpoints or not.
   */
  SESSION,
  /** The deployment first chosen failed before answering: the request was sent again, here. */
  RETRIED,
  /**
   * A Responses API follow-up ({@code previous_response_id}), or an operation on a stored response (retrieve,
   * delete, cancel, input items): sent to the deployment that stored the response, the only place that response
   * exists, whatever the pins say.
   */
  STORED;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The name clients, logs and metrics see: {@code pinned}, {@code unpinned}, {@code retried}... */
  public String label() {
    return label;
  }

  /** The label of {@code kind}, or null when no route was taken (a refusal, an error before routing). */
  public static String labelOf(RouteKind kind) {
    return kind == null ? null : kind.label;
  }
}
