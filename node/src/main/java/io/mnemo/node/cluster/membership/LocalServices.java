package io.mnemo.node.cluster.membership;

import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The node-local services a cluster job may use (the storage engine, the shard map, ...), keyed by their
 * type. The node fills it at start-up; a job reaches it through {@link NodeContext#service(Class)} on the
 * node where it runs, so jobs carry only their parameters and never capture a service.
 *
 * <p>Thread-safe. A type is registered at most once.
 */
public final class LocalServices {
    private final ConcurrentMap<Class<?>, Object> services = new ConcurrentHashMap<>();

    /**
     * Registers the node's instance of {@code type}.
     *
     * @throws IllegalStateException if {@code type} already has an instance
     */
    public <T> LocalServices register(Class<T> type, T instance) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(instance, "instance");
        Object previous = services.putIfAbsent(type, type.cast(instance));
        if (previous != null) {
            throw new IllegalStateException("local service " + type.getName() + " is already registered: " + previous);
        }
        return this;
    }

    /** The instance registered for {@code type}, if any. */
    public <T> Optional<T> find(Class<T> type) {
        return Optional.ofNullable(services.get(type)).map(type::cast);
    }

    /**
     * The instance registered for {@code type}.
     *
     * @throws IllegalStateException naming the type and the registered ones when it is missing
     */
    public <T> T get(Class<T> type) {
        Object service = services.get(type);
        if (service == null) {
            TreeSet<String> known = new TreeSet<>();
            services.keySet().forEach(k -> known.add(k.getName()));
            throw new IllegalStateException("no local service " + type.getName() + " on this node; registered: " + known);
        }
        return type.cast(service);
    }
}
