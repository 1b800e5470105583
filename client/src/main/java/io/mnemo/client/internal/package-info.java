/**
 * The client's implementation: routing by topology, the retrying call engine, batching and resumable scans.
 * <strong>Not API.</strong> Its classes are public only because {@code io.mnemo.client} calls them across the package
 * boundary; the module does not export this package, and anything here may change in any release.
 *
 * <p>Threads: the client owns one scheduler thread ({@code mnemo-client-scheduler}) for backoff delays, hedge
 * timers and the topology refresher; gRPC's threads (or the executor given to the builder) run the network
 * callbacks. No lock is held across a network call or a listener callback: state that is shared is a volatile
 * immutable snapshot ({@link io.mnemo.client.internal.TopologyView}) or a concurrent map.
 */
package io.mnemo.client.internal;
