/**
 * Cluster membership and the compute grid, on an embedded Apache Ignite 2.x server node.
 *
 * <p>Ignite here only answers two questions: who is alive (discovery, failure detection) and how to run
 * a job on a member (compute). It holds no memories: no caches are created, the default data region is
 * tiny and nothing is persisted. Ownership (the baseline and its epochs) is decided elsewhere by Raft;
 * this package only reports liveness.
 *
 * <p>The API is {@link io.mnemo.node.cluster.membership.Membership} and
 * {@link io.mnemo.node.cluster.membership.ClusterCompute}, both free of Ignite types so that tests and
 * other parts of the node can fake them. {@link io.mnemo.node.cluster.membership.IgniteMembership} is the
 * only class that knows Ignite is underneath; its helpers are package-private.
 */
package io.mnemo.node.cluster.membership;
