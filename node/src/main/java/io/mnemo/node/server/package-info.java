/**
 * The node process: {@link io.mnemo.node.server.MnemoNode} assembles storage, NUMA workers, replication, the
 * cluster control (membership, ownership log, baseline loop) and one gRPC server carrying the client-facing
 * {@code MnemoService} and the node-to-node {@code ReplicaService}, plus the health/readiness/metrics endpoint.
 * Only {@code MnemoNode} is public (the CLI starts it); the service implementation, error mapping and wire
 * conversions are package-private.
 */
package io.mnemo.node.server;
