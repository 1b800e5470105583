package io.mnemo.node.cluster.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.DropSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.node.cluster.ownership.BaselineCommand.RemoveMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.SetWeight;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BaselineCodecTest {

    // ---- round trips (properties) ----

    @Property(tries = 300)
    void encodeState_anyValidState_decodesToEqualState(@ForAll("states") BaselineState state) {
        byte[] bytes = BaselineCodec.encodeState(state);

        assertThat(BaselineCodec.decodeState(bytes)).isEqualTo(state);
        assertThat(BaselineCodec.encodeState(BaselineCodec.decodeState(bytes))).isEqualTo(bytes);
    }

    @Property(tries = 300)
    void encodeCommand_anyValidCommand_decodesToEqualCommand(@ForAll("commands") BaselineCommand command) {
        assertThat(BaselineCodec.decodeCommand(BaselineCodec.encodeCommand(command))).isEqualTo(command);
    }

    @Property(tries = 100)
    void encodeResult_anyResult_decodesToEqualResult(@ForAll("states") BaselineState state, @ForAll boolean rejected) {
        CommandResult result = rejected ? CommandResult.rejected(state, RejectionReason.SPACE_CONFLICT, "conflict \u00e9")
                : CommandResult.applied(state);
        byte[] bytes = BaselineCodec.encodeResult(result);

        assertThat(BaselineCodec.decodeResult(bytes, 0, bytes.length)).isEqualTo(result);
    }

    @Property(tries = 100)
    void encodeState_membersGivenInAnyOrder_givesSameBytes(@ForAll("states") BaselineState state, @ForAll long seed) {
        Assume.that(state.isInitialized());
        List<BaselineMember> members = new ArrayList<>(state.members());
        Collections.shuffle(members, new java.util.Random(seed));
        List<SpaceSettings> spaces = new ArrayList<>(state.spaces());
        Collections.shuffle(spaces, new java.util.Random(seed + 1));
        BaselineState reordered = BaselineState.of(state.epoch(), state.partitions(), state.replicationFactor(), members, spaces);

        assertThat(BaselineCodec.encodeState(reordered)).isEqualTo(BaselineCodec.encodeState(state));
    }

    @Property(tries = 50)
    void decodeState_everyStrictPrefix_failsWithFormatException(@ForAll("states") BaselineState state) {
        byte[] bytes = BaselineCodec.encodeState(state);
        for (int len = 0; len < bytes.length; len++) {
            int n = len;
            assertThatThrownBy(() -> BaselineCodec.decodeState(Arrays.copyOf(bytes, n)))
                    .as("prefix of %d bytes", n)
                    .isInstanceOf(BaselineFormatException.class);
        }
    }

    @Provide
    Arbitrary<BaselineState> states() {
        return anyState();
    }

    /** Valid states: a tenth uninitialized, the rest with up to 12 members (zoned or not) and 6 spaces. */
    static Arbitrary<BaselineState> anyState() {
        Arbitrary<String> ids = Arbitraries.strings().withChars("abcxyz019-_.\u00e9\u4e2d").ofMinLength(1).ofMaxLength(12);
        Arbitrary<List<String>> idLists = ids.list().ofMaxSize(12).uniqueElements();
        Arbitrary<List<String>> spaceNames = Arbitraries.strings().withChars("abz09_-").ofMinLength(1).ofMaxLength(10)
                .filter(s -> Character.isLetterOrDigit(s.charAt(0))).list().ofMaxSize(6).uniqueElements();
        Arbitrary<BaselineState> initialized = Combinators.combine(
                Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.integers().between(1, 65536),
                Arbitraries.integers().between(1, 16),
                idLists,
                Arbitraries.of(true, false),
                spaceNames,
                Arbitraries.longs()).as((epoch, p, rf, idList, zoned, names, seed) -> {
                    java.util.Random rnd = new java.util.Random(seed);
                    List<BaselineMember> members = new ArrayList<>();
                    for (int i = 0; i < idList.size(); i++) {
                        String host = rnd.nextBoolean() ? "[::" + Integer.toHexString(i + 1) + "]" : "node-" + i + ".mnemo";
                        members.add(new BaselineMember(idList.get(i), host + ":" + (1 + rnd.nextInt(65535)),
                                1 + rnd.nextInt(1_000_000), zoned ? "zone-" + rnd.nextInt(3) : null,
                                rnd.nextBoolean() ? MemberState.ACTIVE : MemberState.DRAINING, rnd.nextLong()));
                    }
                    List<SpaceSettings> spaces = new ArrayList<>();
                    for (String name : names) {
                        spaces.add(new SpaceSettings(name, 1 + rnd.nextInt(65536), 1 + (rnd.nextLong() & (Long.MAX_VALUE - 1))));
                    }
                    return BaselineState.of(epoch, p, rf, members, spaces);
                });
        return Arbitraries.integers().between(0, 9).flatMap(i -> i == 0 ? Arbitraries.just(BaselineState.empty()) : initialized);
    }

    @Provide
    Arbitrary<BaselineCommand> commands() {
        Arbitrary<String> ids = Arbitraries.strings().withChars("abc019-\u00e9").ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> endpoints = Arbitraries.integers().between(1, 65535).map(p -> "host.example:" + p);
        Arbitrary<Integer> weights = Arbitraries.integers().between(1, 1_000_000);
        Arbitrary<String> zones = Arbitraries.of("z1", "rack-2").injectNull(0.5);
        Arbitrary<String> spaces = Arbitraries.strings().withChars("abz09_-").ofMinLength(1).ofMaxLength(64)
                .filter(s -> Character.isLetterOrDigit(s.charAt(0)));
        return Arbitraries.oneOf(List.<Arbitrary<? extends BaselineCommand>>of(
                Combinators.combine(Arbitraries.integers().between(1, 65536), Arbitraries.integers().between(1, 16)).as(Init::new),
                Combinators.combine(ids, endpoints, weights, zones, Arbitraries.longs()).as(AddMember::new),
                ids.map(DrainMember::new),
                ids.map(RemoveMember::new),
                Combinators.combine(ids, weights).as(SetWeight::new),
                Combinators.combine(spaces, Arbitraries.integers().between(1, 65536), Arbitraries.longs().between(1, Long.MAX_VALUE))
                        .as(CreateSpace::new),
                spaces.map(DropSpace::new)));
    }

    // ---- bad input ----

    private static BaselineState sample() {
        return States.applyAll(new Init(16, 3), new AddMember("a", "h:1", 2, null, 7L), new AddMember("b", "h:2", 3, null, 8L),
                new CreateSpace("docs", 8, 100));
    }

    @Test
    @Timeout(10)
    void decodeState_wrongMagic_failsNamingMagic() {
        byte[] bytes = BaselineCodec.encodeCommand(new Init(1, 1));

        assertThatThrownBy(() -> BaselineCodec.decodeState(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("baseline state")
                .hasMessageContaining("magic must be 0x4D4E4253 (MNBS), got 0x4D4E4243");
    }

    @Test
    @Timeout(10)
    void decodeState_newerVersion_failsSayingUpgrade() {
        byte[] bytes = BaselineCodec.encodeState(sample());
        bytes[4] = 3;

        assertThatThrownBy(() -> BaselineCodec.decodeState(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("format version 3 is not supported")
                .hasMessageContaining("upgrade this node")
                .extracting(e -> ((BaselineFormatException) e).offset()).isEqualTo(4L);
    }

    @Test
    @Timeout(10)
    void decodeState_trailingByte_fails() {
        byte[] bytes = BaselineCodec.encodeState(sample());

        assertThatThrownBy(() -> BaselineCodec.decodeState(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("1 trailing bytes");
    }

    @Test
    @Timeout(10)
    void decodeState_empty_failsAsTruncated() {
        assertThatThrownBy(() -> BaselineCodec.decodeState(new byte[0]))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("truncated: magic needs 4 bytes, 0 remain");
    }

    @Test
    @Timeout(10)
    void decodeState_memberWithZeroWeight_failsNamingMemberAndWeight() {
        byte[] bytes = BaselineCodec.encodeState(sample());
        // header 5 + epoch 8 + P 4 + RF 4 + count 4; member[0]: id "a" (2+1), endpoint "h:1" (2+3), then the weight
        int weightAt = 5 + 8 + 4 + 4 + 4 + 3 + 5;
        ByteBuffer.wrap(bytes).putInt(weightAt, 0);

        assertThatThrownBy(() -> BaselineCodec.decodeState(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("member[0]")
                .hasMessageContaining("weight must be in [1, 1000000], got 0");
    }

    @Test
    @Timeout(10)
    void decodeState_invalidUtf8InId_fails() {
        byte[] bytes = BaselineCodec.encodeState(sample());
        int idAt = 5 + 8 + 4 + 4 + 4 + 2;
        bytes[idAt] = (byte) 0xC3;

        assertThatThrownBy(() -> BaselineCodec.decodeState(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("member[0].id is not valid UTF-8");
    }

    @Test
    @Timeout(10)
    void decodeState_membersOutOfOrder_fails() {
        byte[] bytes = BaselineCodec.encodeState(sample());
        int idAt = 5 + 8 + 4 + 4 + 4 + 2;
        bytes[idAt] = 'c';

        assertThatThrownBy(() -> BaselineCodec.decodeState(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("sorted by id");
    }

    @Test
    @Timeout(10)
    void decodeState_hugeMemberCount_failsWithoutAllocating() {
        byte[] bytes = BaselineCodec.encodeState(sample());
        ByteBuffer.wrap(bytes).putInt(5 + 8 + 4 + 4, 4_000_000);

        assertThatThrownBy(() -> BaselineCodec.decodeState(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("member count is 4000000 but only");
    }

    @Test
    @Timeout(10)
    void decodeState_uninitializedWithMembers_fails() {
        byte[] bytes = BaselineCodec.encodeState(sample());
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putLong(5, 0L).putInt(13, 0).putInt(17, 0);

        assertThatThrownBy(() -> BaselineCodec.decodeState(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("uninitialized state");
    }

    @Test
    @Timeout(10)
    void decodeCommand_unknownKind_failsNamingCode() {
        byte[] bytes = BaselineCodec.encodeCommand(new DrainMember("a"));
        bytes[5] = 99;

        assertThatThrownBy(() -> BaselineCodec.decodeCommand(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("command kind code must be in [1, 8], got 99");
    }

    @Test
    @Timeout(10)
    void decodeCommand_invalidValue_failsNamingKindAndField() {
        byte[] bytes = BaselineCodec.encodeCommand(new Init(16, 3));
        ByteBuffer.wrap(bytes).putInt(6, -5);

        assertThatThrownBy(() -> BaselineCodec.decodeCommand(bytes))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("INIT: partitions must be in [1, 65536], got -5");
    }

    @Test
    @Timeout(10)
    void stateMachine_snapshotRoundTrip_restoresAndBadSnapshotFails() throws IOException {
        List<BaselineState> published = new ArrayList<>();
        BaselineStateMachine source = new BaselineStateMachine(published::add);
        byte[] init = BaselineCodec.encodeCommand(new Init(16, 3));
        byte[] add = BaselineCodec.encodeCommand(new AddMember("a", "h:1", 1, null, 1L));
        source.apply(init, 0, init.length, false);
        source.apply(add, 0, add.length, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        source.writeContentTo(new DataOutputStream(out));

        List<BaselineState> restoredEpochs = new ArrayList<>();
        BaselineStateMachine target = new BaselineStateMachine(restoredEpochs::add);
        target.readContentFrom(new DataInputStream(new ByteArrayInputStream(out.toByteArray())));

        assertThat(target.current()).isEqualTo(source.current());
        assertThat(published).extracting(BaselineState::epoch).containsExactly(1L, 2L);
        assertThat(restoredEpochs).containsExactly(source.current());
        byte[] negative = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertThatThrownBy(() -> target.readContentFrom(new DataInputStream(new ByteArrayInputStream(negative))))
                .isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("got -1");
    }

    @Test
    @Timeout(10)
    void stateMachine_malformedEntry_isRejectedDeterministicallyWithoutStateChange() {
        BaselineStateMachine sm = new BaselineStateMachine(s -> { });
        byte[] init = BaselineCodec.encodeCommand(new Init(16, 3));
        sm.apply(init, 0, init.length, false);
        byte[] garbage = {1, 2, 3};

        byte[] reply = sm.apply(garbage, 0, garbage.length, true);
        CommandResult r = BaselineCodec.decodeResult(reply, 0, reply.length);

        assertThat(r.outcome()).isEqualTo(CommandResult.Outcome.REJECTED);
        assertThat(r.reason()).isEqualTo(RejectionReason.MALFORMED_COMMAND);
        assertThat(r.state().epoch()).isEqualTo(1);
        assertThat(sm.current().epoch()).isEqualTo(1);
        assertThat(sm.apply(init, 0, init.length, false)).isNull();
    }
}
