package dev.affinity.router.pins;

import dev.affinity.router.routing.DeploymentLoad;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LoadMapTest {

  @Test
  void aPublishedValueReadsBackAndOnlyConfiguredDeploymentsWithSaneNumbersAreTaken() {
    String value = LoadMap.encode(Map.of("d1", new DeploymentLoad.Counts(2, 30, 4_000)));
    assertThat(LoadMap.decode(value, Set.of("d1"))).containsEntry("d1", new DeploymentLoad.Counts(2, 30, 4_000));

    String hostile = value + "unknown\t1\t1\t1\nd2\t-5\t1\t1\nd3\tmany\t1\t1\nd4\t1\t1\n";
    assertThat(LoadMap.decode(hostile, Set.of("d1", "d2", "d3", "d4"))).containsOnlyKeys("d1");
  }
}
