package io.mnemo.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The extra node flags {@code MNEMO_NODE_JAVA_OPTS} gives the nodes {@link LocalCluster} starts. */
class LocalClusterFlagsTest {

    @Test
    void extraNodeFlags_splitOnWhitespace() {
        assertThat(LocalCluster.extraNodeFlags("  -Xms1g\t-XX:+UseZGC \n -Dx=a ")).containsExactly("-Xms1g", "-XX:+UseZGC", "-Dx=a");
    }

    @Test
    void extraNodeFlags_unsetOrBlank_none() {
        assertThat(LocalCluster.extraNodeFlags(null)).isEmpty();
        assertThat(LocalCluster.extraNodeFlags(" \t")).isEmpty();
    }
}
