/**
 * The {@code mnemo} command line ({@link io.mnemo.node.cli.MnemoCli}): run a node, a local multi-process cluster,
 * the demo workload, and admin queries. {@link io.mnemo.node.cli.LocalCluster} is public so tests can start real
 * node processes the way the CLI does.
 */
package io.mnemo.node.cli;
