package dev.affinity.router.routing;

import dev.affinity.model.config.Deployment;

/** Where a request goes and why ({@code unpinned}, {@code pinned}, {@code claimed}, {@code repinned}). */
public record Route(Deployment deployment, String kind) {
}
