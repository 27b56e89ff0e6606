package dev.affinity.router.routing;

import dev.affinity.model.GatewayError;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.pins.PinStore;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The admin queries on {@link dev.affinity.model.EventBusAddress#ADMIN}, apart from routing: {@code stats} (this
 * node's {@link DeploymentBook}), {@code pins} and {@code clear-pins} (the cluster's pin map, off the event loop).
 */
final class AdminQueries {

  private static final int ADMIN_PIN_LIMIT = 1000;

  private final Vertx vertx;
  private final GatewayConfig config;
  private final PinStore pins;
  private final DeploymentBook book;
  private final boolean cacheAffinity;

  /**
   * @param pins          the cluster's pins, or null when routing without affinity
   * @param cacheAffinity whether the routing policy follows cached prefixes
   */
  AdminQueries(Vertx vertx, GatewayConfig config, PinStore pins, DeploymentBook book, boolean cacheAffinity) {
    this.vertx = vertx;
    this.config = config;
    this.pins = pins;
    this.book = book;
    this.cacheAffinity = cacheAffinity;
  }

  void handle(Message<String> message) {
    switch (message.body()) {
      case "stats" -> message.reply(stats());
      case "pins" -> {
        if (pins == null) {
          message.reply(new JsonObject().put("total", 0).put("pins", new JsonArray()));
          return;
        }
        vertx.executeBlocking(() -> {
          JsonArray list = new JsonArray();
          pins.list(ADMIN_PIN_LIMIT).forEach(pin -> list.add(new JsonObject()
              // a prefix of the hash is enough to tell pins apart; the prompt itself is never stored
              .put("key", pin.key().substring(0, Math.min(12, pin.key().length())))
              .put("deployment", pin.deployment())
              .put("ttl_seconds_left", pin.ttlSecondsLeft())
              .put("hits", pin.hits())));
          return new JsonObject().put("total", pins.size()).put("shown", list.size()).put("pins", list);
        }).onComplete(result -> {
          if (result.succeeded()) {
            message.reply(result.result());
          } else {
            fail(message, GatewayError.internal("could not read the pin map"));
          }
        });
      }
      case "clear-pins" -> {
        if (pins == null) {
          message.reply(new JsonObject().put("cleared", 0));
          return;
        }
        vertx.executeBlocking(() -> {
          int size = pins.size();
          pins.clear();
          return new JsonObject().put("cleared", size);
        }).onComplete(result -> {
          if (result.succeeded()) {
            message.reply(result.result());
          } else {
            fail(message, GatewayError.internal("could not clear the pin map"));
          }
        });
      }
      default -> fail(message, GatewayError.notFound("unknown admin query"));
    }
  }

  /** Every configured deployment, under its alias, with what this node booked for it and whether it is cooling. */
  JsonObject stats() {
    JsonObject aliases = new JsonObject();
    Map<String, Map<String, CacheLedger.Line>> booked = book.ledger();
    for (Deployment deployment : config.deployments()) {
      CacheLedger.Line line = booked.getOrDefault(deployment.alias(), Map.of())
          .getOrDefault(deployment.id(), CacheLedger.Line.EMPTY);
      OptionalLong coolingUntil = book.cooledUntil(deployment.id());
      JsonObject perDeployment = aliases.getJsonObject(deployment.alias());
      if (perDeployment == null) {
        perDeployment = new JsonObject();
        aliases.put(deployment.alias(), perDeployment);
      }
      perDeployment.put(deployment.id(), new JsonObject()
          .put("requests", line.requests())
          .put("in_flight", book.inFlight().count(deployment.id()))
          .put("errors", line.errors())
          .put("uncached_input_tokens", line.uncachedTokens())
          .put("cache_write_tokens", line.cacheWriteTokens())
          .put("cache_read_tokens", line.cacheReadTokens())
          .put("output_tokens", line.outputTokens())
          .put("cache_read_share", line.readShare())
          .put("pinned_requests", line.pinnedRequests())
          .put("pinned_but_missed", line.pinnedMisses())
          .put("cost_usd", line.cost())
          .put("cost_without_cache_usd", line.costWithoutCache())
          .put("healthy", coolingUntil.isEmpty())
          .put("cooldown_ends_at", coolingUntil.isEmpty() ? null
              : Instant.ofEpochMilli(coolingUntil.getAsLong()).toString())
          .put("cluster_load", clusterLoad(book.load().of(deployment.id()))));
    }
    return new JsonObject().put("prompt_cache_affinity", cacheAffinity)
        .put("routing_strategy", config.router().routingStrategy()).put("models", aliases);
  }

  /** What balance sees of a deployment: the whole cluster's counts, the other nodes' as last published. */
  private static JsonObject clusterLoad(DeploymentLoad.Counts counts) {
    return new JsonObject().put("in_flight", counts.inFlight())
        .put("requests_per_minute", counts.requestsPerMinute())
        .put("tokens_per_minute", counts.tokensPerMinute());
  }

  private static void fail(Message<?> message, GatewayError error) {
    message.fail(error.status(), error.toReplyException().getMessage());
  }
}
