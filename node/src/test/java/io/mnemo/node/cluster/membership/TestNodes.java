package io.mnemo.node.cluster.membership;

import java.nio.file.Path;
import java.util.List;

/** Builds test configurations: loopback only, ports from one {@link TestPorts.Block}. */
final class TestNodes {
    private TestNodes() {
    }

    static MembershipConfig config(String nodeId, TestPorts.Block ports, Path workRoot) {
        return MembershipConfig.builder()
                .clusterName("test")
                .nodeId(nodeId)
                .grpcEndpoint("127.0.0.1:" + (9000 + Math.abs(nodeId.hashCode() % 1000)))
                .zone("zone-" + nodeId)
                .bindAddress("127.0.0.1")
                .discoveryPorts(ports.discovery(), TestPorts.Block.RANGE)
                .communicationPorts(ports.communication(), TestPorts.Block.RANGE)
                .seeds(List.of(ports.seed()))
                .workDirectory(workRoot.resolve(nodeId))
                .computeThreads(2)
                .build();
    }

    static IgniteMembership start(String nodeId, TestPorts.Block ports, Path workRoot, LocalServices services) {
        return IgniteMembership.start(config(nodeId, ports, workRoot), services);
    }
}
