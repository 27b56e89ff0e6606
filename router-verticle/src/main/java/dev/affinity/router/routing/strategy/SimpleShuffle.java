package dev.affinity.router.routing.strategy;

import dev.affinity.model.config.Deployment;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random choice weighted like LiteLLM's simple-shuffle: by {@code weight} when any deployment sets one, else by
 * {@code rpm}, else by {@code tpm}, else uniform.
 */
public final class SimpleShuffle implements UnpinnedStrategy {

  @Override
  public Deployment pick(List<Deployment> candidates) {
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    double[] weights = weights(candidates);
    double total = 0;
    for (double weight : weights) {
      total += weight;
    }
    if (total <= 0) {
      return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
    }
    double point = ThreadLocalRandom.current().nextDouble(total);
    for (int i = 0; i < weights.length; i++) {
      point -= weights[i];
      if (point < 0) {
        return candidates.get(i);
      }
    }
    return candidates.get(candidates.size() - 1);
  }

  static double[] weights(List<Deployment> candidates) {
    double[] weights = new double[candidates.size()];
    boolean anyWeight = candidates.stream().anyMatch(d -> d.weight() != 1.0);
    boolean anyRpm = candidates.stream().anyMatch(d -> d.rpm() != null);
    boolean anyTpm = candidates.stream().anyMatch(d -> d.tpm() != null);
    for (int i = 0; i < weights.length; i++) {
      Deployment d = candidates.get(i);
      if (anyWeight) {
        weights[i] = d.weight();
      } else if (anyRpm) {
        weights[i] = d.rpm() == null ? 0 : d.rpm();
      } else if (anyTpm) {
        weights[i] = d.tpm() == null ? 0 : d.tpm();
      } else {
        weights[i] = 1;
      }
    }
    return weights;
  }
}
