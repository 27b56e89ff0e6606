package dev.affinity.router.pins;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * How the pin map's entry processor ({@link PinWrite}) travels between members: as Hazelcast
 * {@link IdentifiedDataSerializable}, made by this factory.
 *
 * <p>Every pin write ships a processor to each member owning some of its keys, and ships it again
 * with each backup operation (one per partition touched). Java serialization ran {@code ObjectOutputStream} and
 * {@code ObjectInputStream} for each of those: class descriptors, reflection, a few hundred bytes. An identified
 * processor is two ints and its own fields, written and read by hand. Chosen over Compact because Compact adds a
 * schema id to every object and a cluster-wide schema to replicate, and a member without its serializer falls back
 * to reflection without a word; a member without this factory cannot read a processor at all, and {@link PinMap}
 * refuses to start on it (see {@link #requireRegistered}).
 *
 * <p>The factory is registered by {@code ClusterSettings.hazelcastConfig()}, which every node, test and benchmark
 * builds its members' configuration with, whatever Hazelcast XML it reads.
 */
public final class PinProcessors implements DataSerializableFactory {

  /** "AFF" in ASCII: Hazelcast's own factories are negative, and a distinctive id keeps clear of other users'. */
  public static final int FACTORY_ID = 0x414646;

  /** Class id 1 was the read processor of versions that read pins through the map; reads are local now. */
  static final int WRITE = 2;

  @Override
  public IdentifiedDataSerializable create(int classId) {
    return switch (classId) {
      case WRITE -> new PinWrite();
      // Hazelcast reports null as an unknown class id, naming the factory
      default -> null;
    };
  }

  /**
   * Adds the factory to {@code serialization}. A Hazelcast XML that already names this class under {@link #FACTORY_ID}
   * is left alone; one that gives the id to another factory is refused, because the processors could not be read.
   */
  public static void register(SerializationConfig serialization) {
    if (registeredIn(serialization)) {
      return;
    }
    String named = serialization.getDataSerializableFactoryClasses().get(FACTORY_ID);
    Object given = serialization.getDataSerializableFactories().get(FACTORY_ID);
    if (named != null || given != null) {
      throw new IllegalArgumentException("data-serializable factory id " + FACTORY_ID + " is taken by "
          + (named != null ? named : given) + "; the pin map's entry processors need it for "
          + PinProcessors.class.getName());
    }
    serialization.addDataSerializableFactory(FACTORY_ID, new PinProcessors());
  }

  /**
   * Fails unless {@code hazelcast} was configured with this factory: without it, the member could not read the pin
   * lookups and writes other members send it, and would fail them one by one at run time instead of now.
   */
  static void requireRegistered(HazelcastInstance hazelcast) {
    if (!registeredIn(hazelcast.getConfig().getSerializationConfig())) {
      throw new IllegalStateException("Hazelcast member " + hazelcast.getName() + " has no data-serializable factory "
          + FACTORY_ID + " for the pin map's entry processors: build its Config with ClusterSettings.hazelcastConfig()"
          + " (or call PinProcessors.register on its serialization config) before starting it");
    }
  }

  /** Whether this factory holds {@link #FACTORY_ID}, as an instance or named by class (from a Hazelcast XML). */
  private static boolean registeredIn(SerializationConfig serialization) {
    return serialization.getDataSerializableFactories().get(FACTORY_ID) instanceof PinProcessors
        || PinProcessors.class.getName().equals(serialization.getDataSerializableFactoryClasses().get(FACTORY_ID));
  }
}
