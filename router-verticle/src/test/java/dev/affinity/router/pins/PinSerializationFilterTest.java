package dev.affinity.router.pins;

import com.hazelcast.config.Config;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import dev.affinity.router.node.ClusterSettings;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The deserialization filter (on unless {@code -Daffinity.hazelcast.serialization-filter=false}, issue 12), and what the pin map
 * carries passes through it: the entry processor (an identified data-serializable, never Java-serialized), its
 * String values and results, and the Long cooldowns. A class outside the allow-list is refused. Without the
 * property there is no filter.
 */
class PinSerializationFilterTest {

  private static SerializationService filtered(Config config) {
    return new DefaultSerializationServiceBuilder().setConfig(config.getSerializationConfig()).build();
  }

  @Test
  void thePinMapsTrafficPassesThroughTheFilter() throws Exception {
    // on by default
    Config config = ClusterSettings.loopback("filter").hazelcastConfig();
    assertThat(config.getSerializationConfig().getJavaSerializationFilterConfig()).isNotNull();
    SerializationService serialization = filtered(config);

    PinWrite claim = new PinWrite(PinWrite.Kind.CLAIM, "dep-a", null, 300, 1234);
    assertThat((Object) serialization.toObject(serialization.toData(claim))).isEqualTo(claim);
    String value = new PinValue("dep-a", 1234, 5678, List.of("dep-b")).encode();
    assertThat((Object) serialization.toObject(serialization.toData(value))).isEqualTo(value);
    assertThat((Object) serialization.toObject(serialization.toData(PinWrite.CHANGED + value)))
        .isEqualTo(PinWrite.CHANGED + value);
    assertThat((Object) serialization.toObject(serialization.toData(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    assertThat((Object) serialization.toObject(serialization.toData(Map.of("k", "v")))).isEqualTo(Map.of("k", "v"));

    Data gadget = serialization.toData(new File("/tmp"));
    assertThat(catchThrowable(() -> serialization.toObject(gadget))).as("java.io is not on the allow-list")
        .isNotNull();
  }

  @Test
  void turnedOffThereIsNoFilter() throws Exception {
    System.setProperty(ClusterSettings.SERIALIZATION_FILTER_PROPERTY, "false");
    Config config;
    try {
      config = ClusterSettings.loopback("no-filter").hazelcastConfig();
    } finally {
      System.clearProperty(ClusterSettings.SERIALIZATION_FILTER_PROPERTY);
    }
    assertThat(config.getSerializationConfig().getJavaSerializationFilterConfig()).isNull();
    SerializationService serialization = filtered(config);
    assertThat((Object) serialization.toObject(serialization.toData(new File("/tmp")))).isEqualTo(new File("/tmp"));
  }
}
