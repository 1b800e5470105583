/**
 * A node's configuration. {@link io.mnemo.node.config.Settings} lists every setting (key, environment variable,
 * type, default, allowed values, meaning); {@link io.mnemo.node.config.ConfigLoader} reads them from one
 * {@code key = value} file with environment and system-property overrides; {@link io.mnemo.node.config.NodeConfig}
 * is the immutable, checked result. Sizes are {@link io.mnemo.node.config.DataSize}s and times
 * {@link java.time.Duration}s, never bare numbers. Depends on nothing but the JDK and the constants of the
 * packages whose settings it lists, so the README table can be generated from the compiled classes alone.
 */
package io.mnemo.node.config;
