package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Calls go straight to a replica of the key's partition, and follow the topology when it moves. */
@Timeout(30)
class RoutingTest {
    private FakeCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeCluster.start(3, 16, 2);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void store_manyKeys_eachGoesToItsPrimaryReplica() {
        int[] expected = new int[3];
        try (MnemoClient client = Fixtures.builder(cluster).build()) {
            for (int i = 0; i < 60; i++) {
                String id = "key-" + i;
                expected[cluster.replicasOf(Fixtures.SPACE, id).get(0)]++;
                client.store(Fixtures.memory(id));
            }
        }
        for (int n = 0; n < 3; n++) {
            assertThat(cluster.node(n).calls("store")).as("stores on node %d", n).isEqualTo(expected[n]);
        }
        assertThat(expected).doesNotContain(0);
    }

    @Test
    void recall_clientZoneHoldsAReplica_goesToTheSameZoneReplica() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 10; i++) {
            String id = "zoned-" + i;
            List<Integer> r = cluster.replicasOf(Fixtures.SPACE, id);
            if (r.get(1) == 2) {
                ids.add(id);
                cluster.put(io.mnemo.protocol.v1.Memory.newBuilder().setSpace(Fixtures.SPACE).setId(id)
                        .setVersion(io.mnemo.protocol.v1.Version.newBuilder().setHlc(1 << 16)).build());
            }
        }
        try (MnemoClient client = Fixtures.builder(cluster).zone("z2").build()) {
            ids.forEach(id -> assertThat(client.recall(id)).isPresent());
        }
        assertThat(cluster.node(2).calls("recall")).isEqualTo(10);
        assertThat(cluster.node(0).calls("recall") + cluster.node(1).calls("recall")).isZero();
    }

    @Test
    void store_ownerMovedToANewerEpoch_refreshesFromTheRedirectAndRetriesOnTheNewOwner() {
        Fixtures.RecordingListener listener = new Fixtures.RecordingListener(2);
        try (MnemoClient client = Fixtures.builder(cluster).listener(listener).build()) {
            String id = "moving";
            int oldOwner = cluster.replicasOf(Fixtures.SPACE, id).get(0);
            cluster.setTopology(2, p -> List.of((p + 2) % 3));
            int newOwner = cluster.replicasOf(Fixtures.SPACE, id).get(0);

            Version v = client.store(Fixtures.memory(id));

            assertThat(v.nodeId()).isEqualTo(newOwner);
            assertThat(cluster.node(oldOwner).calls("store")).isEqualTo(1);
            assertThat(cluster.node(newOwner).calls("store")).isEqualTo(1);
            assertThat(client.topologyEpoch()).isEqualTo(2);
            assertThat(listener.events).contains("topology 1->2", "retry STORE #2", "finished STORE ok");
        }
    }

    @Test
    void recall_staleEpochReply_refreshesTheTopologyAndRetries() {
        try (MnemoClient client = Fixtures.builder(cluster).build()) {
            client.store(Fixtures.memory("k"));
            int owner = cluster.replicasOf(Fixtures.SPACE, "k").get(0);
            int topologyCallsBefore = cluster.totalCalls("topology");
            cluster.editTopology(t -> t.toBuilder().setEpoch(7).build());
            cluster.node(owner).failNext("recall", 1,
                    () -> io.mnemo.protocol.Errors.staleEpoch(7, "a replica has seen epoch 7"));

            assertThat(client.recall("k")).isPresent();

            assertThat(client.topologyEpoch()).isEqualTo(7);
            assertThat(cluster.totalCalls("topology")).isGreaterThan(topologyCallsBefore);
            assertThat(cluster.node(owner).calls("recall")).isEqualTo(2);
        }
    }

    @Test
    void backgroundRefresher_topologyChanges_clientFollowsWithoutAnyCall() throws Exception {
        Fixtures.RecordingListener listener = new Fixtures.RecordingListener(3);
        try (MnemoClient client = MnemoClient.builder().seeds(cluster.seeds()).defaultSpace(Fixtures.SPACE)
                .connectTimeout(Duration.ofMillis(500)).requestTimeout(Duration.ofMillis(500))
                .topologyRefreshPeriod(Duration.ofMillis(500)).listener(listener).build()) {
            cluster.editTopology(t -> t.toBuilder().setEpoch(3).build());

            assertThat(listener.awaitEpoch(10)).as("refreshed to epoch 3 within 10 s").isTrue();
            assertThat(client.topologyEpoch()).isEqualTo(3);
        }
    }

    @Test
    void anyCall_bearerTokenConfigured_sentAsAuthorizationHeader() {
        try (MnemoClient client = Fixtures.builder(cluster).bearerToken("s3cret").allowTokenWithoutTls().build()) {
            client.store(Fixtures.memory("t"));
        }
        List<String> auth = new ArrayList<>();
        cluster.nodes().forEach(n -> auth.addAll(n.authorizations));
        assertThat(auth).isNotEmpty().containsOnly("Bearer s3cret");
    }
}
