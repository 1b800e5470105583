package io.mnemo.shardmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class TopologyCodecTest {
    private static final Topology SAMPLE = Topology.of(42, 256, 3, List.of(
            Member.of("n1", "10.0.0.1:7000", 1, "eu-1a"),
            Member.of("n2-\u8bb0\u5fc6", "[fe80::1]:7001", 2, "eu-1b"),
            Member.of("n3-\"quoted\\\"", "host.example:7002", 3, "eu-1c")));

    @Property(tries = 80)
    void bytes_anyTopology_roundTrips(@ForAll("topologies") Topology t) {
        Topology back = Topology.fromBytes(t.toBytes());
        assertThat(back).isEqualTo(t);
        assertThat(back.members()).usingRecursiveFieldByFieldElementComparator().isEqualTo(t.members());
    }

    @Property(tries = 80)
    void json_anyTopology_roundTrips(@ForAll("topologies") Topology t) {
        assertThat(Topology.fromJson(t.toJson())).isEqualTo(t);
    }

    @Example
    void bytes_everyTruncation_refusedNamingOffset() {
        byte[] full = SAMPLE.toBytes();
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> Topology.fromBytes(cut)).as("length " + len)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("topology binary truncated").hasMessageContaining("offset");
        }
    }

    @Property(tries = 300)
    void bytes_anySingleByteCorrupted_refused(
            @ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] bytes = SAMPLE.toBytes();
        bytes[position % bytes.length] ^= (byte) xor;
        assertThatThrownBy(() -> Topology.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("topology binary");
    }

    @Example
    void bytes_garbageOrTrailingOrNewerVersion_refusedWithReason() {
        assertThatThrownBy(() -> Topology.fromBytes("{\"format\":1}".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("bad magic");
        byte[] trailing = Arrays.copyOf(SAMPLE.toBytes(), SAMPLE.toBytes().length + 1);
        assertThatThrownBy(() -> Topology.fromBytes(trailing)).hasMessageContaining("unexpected bytes after the checksum");
        byte[] newer = SAMPLE.toBytes();
        newer[5] = 2;
        assertThatThrownBy(() -> Topology.fromBytes(newer)).hasMessageContaining("unsupported format version 2");
        byte[] corrupt = SAMPLE.toBytes();
        corrupt[12] ^= 1;
        assertThatThrownBy(() -> Topology.fromBytes(corrupt)).hasMessageContaining("checksum mismatch");
    }

    @Example
    void json_sample_readableAndStable() {
        assertThat(SAMPLE.toJson()).isEqualTo("{\"format\":1,\"algorithm\":\"hrw-log-bounded-v1\",\"epoch\":42,\"partitions\":256,"
                + "\"replicationFactor\":3,\"members\":[{\"id\":\"n1\",\"endpoint\":\"10.0.0.1:7000\",\"weight\":1,\"zone\":\"eu-1a\"},"
                + "{\"id\":\"n2-\u8bb0\u5fc6\",\"endpoint\":\"[fe80::1]:7001\",\"weight\":2,\"zone\":\"eu-1b\"},"
                + "{\"id\":\"n3-\\\"quoted\\\\\\\"\",\"endpoint\":\"host.example:7002\",\"weight\":3,\"zone\":\"eu-1c\"}]}");
    }

    @Example
    void json_whitespaceEscapesAndUnknownFields_accepted() {
        String json = "{ \"format\" : 1, \"algorithm\":\"hrw-log-bounded-v1\", \"extra\": [1, 2.5e3, {\"x\": null}, true],\n"
                + "  \"epoch\": 7, \"partitions\": 16, \"replicationFactor\": 2,\n"
                + "  \"members\": [ {\"id\": \"\\u8bb0\\ud83e\\udde0\", \"endpoint\": \"h:1\", \"weight\": 1, \"zone\": null} ] }";
        Topology t = Topology.fromJson(json);
        assertThat(t.members().get(0).id()).isEqualTo("\u8bb0\ud83e\udde0");
        assertThat(t.members().get(0).zone()).isEmpty();
        assertThat(t.epoch()).isEqualTo(7);
    }

    @Example
    void json_malformed_refusedWithPosition() {
        assertThatThrownBy(() -> Topology.fromJson(""))
                .hasMessage("topology JSON: unexpected end of input, expected a value at line 1 column 1");
        assertThatThrownBy(() -> Topology.fromJson("{\"format\":1,}")).hasMessageContaining("expected a string key at line 1 column 13");
        assertThatThrownBy(() -> Topology.fromJson("{\"a\":1,\n\"a\":2}")).hasMessageContaining("duplicate key \"a\" at line 2 column 1");
        assertThatThrownBy(() -> Topology.fromJson("{\"a\":\"x\ty\"}")).hasMessageContaining("unescaped control character");
        assertThatThrownBy(() -> Topology.fromJson("{\"a\":01}")).hasMessageContaining("expected ',' or '}'");
        assertThatThrownBy(() -> Topology.fromJson("[1] x")).hasMessageContaining("unexpected content after the JSON value");
        assertThatThrownBy(() -> Topology.fromJson("{\"a\":tru}")).hasMessageContaining("expected true");
        assertThatThrownBy(() -> Topology.fromJson("[".repeat(100))).hasMessageContaining("nesting deeper than 64");
        assertThatThrownBy(() -> Topology.fromJson("{\"a\":\"\\x\"}")).hasMessageContaining("bad escape");
    }

    @Example
    void json_wrongFields_refusedNamingField() {
        String base = SAMPLE.toJson();
        assertThatThrownBy(() -> Topology.fromJson("[]")).hasMessageContaining("the document must be an object, got an array");
        assertThatThrownBy(() -> Topology.fromJson(base.replace("\"epoch\":42", "\"epoch\":\"42\"")))
                .hasMessageContaining("field 'epoch' must be an integer, got the string \"42\"");
        assertThatThrownBy(() -> Topology.fromJson(base.replace("\"epoch\":42", "\"epoch\":4.5")))
                .hasMessageContaining("field 'epoch' must be an integer");
        assertThatThrownBy(() -> Topology.fromJson(base.replace("\"epoch\":42", "\"epoch\":-1")))
                .hasMessageContaining("topology epoch must be >= 0, got -1");
        assertThatThrownBy(() -> Topology.fromJson(base.replace("\"format\":1", "\"format\":2")))
                .hasMessageContaining("unsupported format 2");
        assertThatThrownBy(() -> Topology.fromJson(base.replace("hrw-log-bounded-v1", "ring-v9")))
                .hasMessageContaining("'ring-v9' is not supported");
        assertThatThrownBy(() -> Topology.fromJson(base.replace(",\"weight\":2", ""))).hasMessageContaining("field 'members[1].weight'")
                .hasMessageContaining("field missing");
        assertThatThrownBy(() -> Topology.fromJson(base.replace("\"weight\":3", "\"weight\":99999999999")))
                .hasMessageContaining("members[2].weight' must be an integer in");
    }

    @Provide
    Arbitrary<Topology> topologies() {
        return Arbitraries.oneOf(Generators.topologies(10, 64, 1000, 3), Generators.topologies(10, 64, 5, 0));
    }
}
