package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The model round-trips field by field; bad input is refused before anything is sent. */
@Timeout(30)
class ModelAndValidationTest {
    private FakeCluster cluster;
    private MnemoClient client;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeCluster.start(2, 8, 2);
        client = Fixtures.builder(cluster).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        cluster.close();
    }

    @Test
    void storeThenRecall_absentAndEmptyContent_bothRoundTripDistinctly() {
        client.store(Memory.builder().id("absent").build());
        client.store(Memory.builder().id("empty").content("").build());

        assertThat(client.recall("absent").orElseThrow().content()).isEmpty();
        assertThat(client.recall("empty").orElseThrow().content()).contains("");
        assertThat(cluster.get(Fixtures.SPACE, "absent").hasContent()).isFalse();
        assertThat(cluster.get(Fixtures.SPACE, "empty").hasContent()).isTrue();
    }

    @Test
    void storeThenRecall_everyField_roundTrips() {
        Memory m = Memory.builder().space("other").id("é-1").content("text").embedding(new float[] {1f, -2.5f, 0f})
                .confidence(0.75f).activation(3f).decayRate(0.1f).createdAtNs(11).lastAccessNs(22).accessCount(5).build();
        Version v = client.store(m);

        Memory back = client.recall("other", "é-1").orElseThrow();
        assertThat(back.toBuilder().version(null).accessCount(5).build()).isEqualTo(m.toBuilder().space("other").build());
        assertThat(back.version()).get().extracting(Version::hlc).isEqualTo(v.hlc());
    }

    @Test
    void memory_embedding_copiedInAndOut() {
        float[] e = {1f, 2f};
        Memory m = Memory.builder().id("x").embedding(e).build();
        e[0] = 9f;
        m.embedding()[1] = 9f;
        assertThat(m.embedding()).containsExactly(1f, 2f);
    }

    @Test
    void store_idOf257Bytes_refusedNamingTheFieldWithoutCallingANode() {
        String id = "é".repeat(128) + "x";
        assertThatThrownBy(() -> client.store(Memory.builder().id(id).build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).isEqualTo("memory.id");
                    assertThat(e).hasMessageContaining("257 bytes");
                });
        assertThatThrownBy(() -> client.recall("")).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.field()).isEqualTo("id"));
        assertThat(cluster.totalCalls("store") + cluster.totalCalls("recall")).isZero();
    }

    @Test
    void store_nonFiniteEmbeddingOrBadSpace_refusedNamingTheField() {
        assertThatThrownBy(() -> client.store(Memory.builder().id("x").embedding(new float[] {0f, Float.NaN}).build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).isEqualTo("memory.embedding[1]"));
        assertThatThrownBy(() -> client.store(Memory.builder().space("Bad Space").id("x").build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("memory.space"));
        assertThatThrownBy(() -> client.store(Memory.builder().id("x").confidence(1.5f).build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).isEqualTo("memory.confidence"));
        assertThatThrownBy(() -> client.storeAll(List.of(Fixtures.memory("ok"), Memory.builder().id("").build())))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("memories[1].id"));
        assertThatThrownBy(() -> client.recallByCue(new float[] {Float.POSITIVE_INFINITY}, 3, 0f))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("cue[0]"));
        assertThat(cluster.totalCalls("store") + cluster.totalCalls("storeBatch")).isZero();
    }

    @Test
    void removeThenRecall_memoryGone() {
        client.store(Fixtures.memory("r"));
        assertThat(client.remove("r")).isTrue();
        assertThat(client.remove("r")).isFalse();
        assertThat(client.recall("r")).isEmpty();
    }

    @Test
    void recallAll_someMissing_mapHoldsTheFoundOnesInOrder() {
        client.store(Fixtures.memory("a"));
        client.store(Fixtures.memory("c"));
        assertThat(client.recallAll(Fixtures.SPACE, List.of("c", "b", "a"), CallOptions.defaults()).keySet())
                .containsExactly("c", "a");
    }

    @Test
    void counts_clusterWide_countsTheSpace() {
        client.store(Fixtures.memory("a"));
        client.store(Fixtures.memory("b"));
        assertThat(client.counts().total().warm()).isEqualTo(2);
    }
}
