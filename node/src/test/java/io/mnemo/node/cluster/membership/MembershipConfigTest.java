package io.mnemo.node.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.kubernetes.TcpDiscoveryKubernetesIpFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MembershipConfigTest {
    private static MembershipConfig.Builder minimal() {
        return MembershipConfig.builder().nodeId("n1").grpcEndpoint("127.0.0.1:7000").workDirectory(Path.of("work"));
    }

    @Test
    void build_onlyRequiredSettings_appliesDefaults() {
        MembershipConfig config = minimal().build();

        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.seeds()).containsExactly("127.0.0.1:47500..47510");
        assertThat(config.failureDetectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.discoveryMode()).isEqualTo(DiscoveryMode.STATIC);
        assertThat(config.zone()).isEmpty();
        assertThat(config.workDirectory()).isAbsolute();
        assertThat(config.instanceName()).isEqualTo("mnemo-mnemo-n1");
    }

    @Test
    void build_missingNodeId_refusedNamingTheSetting() {
        assertThatThrownBy(() -> MembershipConfig.builder().grpcEndpoint("h:1").workDirectory(Path.of("w")).build())
                .isInstanceOfSatisfying(MembershipConfigException.class, e -> assertThat(e.setting()).isEqualTo("nodeId"));
    }

    @Test
    void setter_calledTwice_refused() {
        MembershipConfig.Builder builder = minimal();
        assertThatThrownBy(() -> builder.nodeId("n2")).isInstanceOf(MembershipConfigException.class).hasMessageContaining("already set");
    }

    @Test
    void nodeId_withSpaceOrTooLong_refusedWithTheValue() {
        assertThatThrownBy(() -> MembershipConfig.builder().nodeId("a b")).hasMessageContaining("'a b'");
        assertThatThrownBy(() -> MembershipConfig.builder().nodeId("x".repeat(65))).isInstanceOf(MembershipConfigException.class);
    }

    @Test
    void bindAddress_wildcard_refused() {
        assertThatThrownBy(() -> MembershipConfig.builder().bindAddress("0.0.0.0")).hasMessageContaining("wildcard");
    }

    @Test
    void build_overlappingPortRanges_refused() {
        MembershipConfig.Builder builder = minimal().discoveryPorts(30000, 10).communicationPorts(30005, 10);
        assertThatThrownBy(builder::build).isInstanceOfSatisfying(MembershipConfigException.class,
                e -> assertThat(e.setting()).isEqualTo("communicationPorts"));
    }

    @Test
    void seeds_malformedEntry_refusedNamingIt() {
        assertThatThrownBy(() -> MembershipConfig.builder().seeds(List.of("127.0.0.1:47500", "nohostport")))
                .hasMessageContaining("'nohostport'");
        assertThat(MembershipConfig.builder().seeds(List.of("[::1]:47500..47509", "node-0.svc:47500"))).isNotNull();
    }

    @Test
    void build_kubernetesWithSeeds_refused() {
        MembershipConfig.Builder builder = minimal().discoveryMode(DiscoveryMode.KUBERNETES).seeds(List.of("h:1"));
        assertThatThrownBy(builder::build).hasMessageContaining("kubernetes");
    }

    @Test
    void failureDetectionTimeout_outOfRange_refused() {
        assertThatThrownBy(() -> MembershipConfig.builder().failureDetectionTimeout(Duration.ofMillis(50)))
                .hasMessageContaining("PT0.05S");
    }

    @Test
    void dataRegionBytes_belowIgniteMinimum_refused() {
        assertThatThrownBy(() -> MembershipConfig.builder().dataRegionBytes(1024 * 1024)).hasMessageContaining("10 MiB");
    }

    @Test
    void parse_discoveryMode_acceptsBothSpellingsAndRefusesOthers() {
        assertThat(DiscoveryMode.parse(" Kubernetes ")).isEqualTo(DiscoveryMode.KUBERNETES);
        assertThatThrownBy(() -> DiscoveryMode.parse("multicast")).hasMessageContaining("'multicast'");
    }

    @Test
    void igniteConfig_kubernetesMode_usesKubernetesIpFinderWithNamespaceAndService() {
        MembershipConfig config = minimal().discoveryMode(DiscoveryMode.KUBERNETES).kubernetesNamespace("mnemo")
                .kubernetesServiceName("mnemo-hl").build();

        IgniteConfiguration igniteConfig = IgniteConfigFactory.create(config, Map.of(), event -> true,
                new MembershipFailureHandler(reason -> { }));

        TcpDiscoverySpi spi = (TcpDiscoverySpi) igniteConfig.getDiscoverySpi();
        assertThat(spi.getIpFinder()).isInstanceOf(TcpDiscoveryKubernetesIpFinder.class);
        assertThat(igniteConfig.isPeerClassLoadingEnabled()).isFalse();
        assertThat(igniteConfig.getClientConnectorConfiguration()).isNull();
        assertThat(igniteConfig.getDataStorageConfiguration().getDefaultDataRegionConfiguration().getMaxSize())
                .isEqualTo(16L * 1024 * 1024);
    }
}
