package dev.affinity.router.cache;

/**
 * A block of a {@link PrefixChain} that carries a {@code cache_control} marker: the provider writes (or reads) a
 * cache entry for the prefix ending there, kept for {@code ttl}.
 *
 * @param block index of the block in the chain
 * @param ttl   what the marker asks for (the longest, if the block is marked twice)
 */
public record Breakpoint(int block, CacheTtl ttl) {
}
