package dev.affinity.router.tenancy;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * How the limits map's entry processor ({@link CounterCharge}) travels between members, as the pin map's do (see
 * PinProcessors): identified, written by hand. Registered by ClusterSettings for every member.
 */
public final class TenancyProcessors implements DataSerializableFactory {

  /** "AFT" in ASCII, next to the pin map's "AFF". */
  public static final int FACTORY_ID = 0x414654;

  static final int CHARGE = 1;

  @Override
  public IdentifiedDataSerializable create(int classId) {
    return classId == CHARGE ? new CounterCharge() : null;
  }

  /** Adds the factory to {@code serialization}, unless it is there already. */
  public static void register(SerializationConfig serialization) {
    Object given = serialization.getDataSerializableFactories().get(FACTORY_ID);
    String named = serialization.getDataSerializableFactoryClasses().get(FACTORY_ID);
    if (given instanceof TenancyProcessors || TenancyProcessors.class.getName().equals(named)) {
      return;
    }
    if (given != null || named != null) {
      throw new IllegalArgumentException("data-serializable factory id " + FACTORY_ID + " is taken by "
          + (named != null ? named : given) + "; the limits map's entry processor needs it for "
          + TenancyProcessors.class.getName());
    }
    serialization.addDataSerializableFactory(FACTORY_ID, new TenancyProcessors());
  }
}
