package io.mnemo.node.cluster.ownership;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.ConfirmMoves;
import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.DropSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.node.cluster.ownership.BaselineCommand.RemoveMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.SetWeight;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of baseline states (Raft snapshots), commands (Raft log entries) and command results
 * (the leader's reply to a proposer).
 *
 * <p>Every encoding starts with a 4-byte magic ({@code MNBS} state, {@code MNBC} command, {@code MNBR}
 * result) and a 1-byte format version, then big-endian fixed-width integers and strings as a 2-byte length
 * and UTF-8 bytes. A state lists its members sorted by id and its spaces sorted by name, so the encoding
 * is deterministic: equal states give equal bytes. Decoding checks every length against the bytes left,
 * every value against the rules the constructors enforce, and that nothing trails; any failure is a
 * {@link BaselineFormatException} naming the field and the byte offset.
 *
 * <p>Versioning: the log and snapshots are persisted, so a format change gets a new version number and
 * this class keeps reading every older version. A node that meets a newer version than it knows refuses
 * it with a message saying so (upgrade that node); it never guesses.
 *
 * <p>State, version 1: {@code epoch:i64 partitions:i32 replicationFactor:i32 memberCount:i32
 * (id:str endpoint:str weight:i32 hasZone:u8 [zone:str] state:u8 lastConfirmedMillis:i64)*
 * spaceCount:i32 (name:str dimension:i32 quotaBytes:i64)*}; an uninitialized state is epoch 0, P = RF = 0
 * and no members or spaces.
 *
 * <p>State, version 2 (placement changes): version 1's fields, then {@code ownershipEpoch:i64
 * hasTransition:u8 [sourceCount:i32 (member as above)* confirmedCount:i32 (id:str)*]}. Version 2 adds the
 * command {@code CONFIRM_MOVES (id:str ownershipEpoch:i64)}. Version 1 is not read: it was never released, and
 * a node meeting it refuses it with a message naming both versions.
 */
public final class BaselineCodec {
    /** The format version this class writes. */
    public static final int VERSION = 2;
    /** Largest encoded state this class decodes. */
    public static final int MAX_STATE_BYTES = 256 << 20;

    static final int STATE_MAGIC = 0x4D4E4253;
    static final int COMMAND_MAGIC = 0x4D4E4243;
    static final int RESULT_MAGIC = 0x4D4E4252;
    private static final int MIN_MEMBER_BYTES = 22;
    private static final int MIN_SPACE_BYTES = 15;

    private BaselineCodec() {
    }

    /** Encodes a state. */
    public static byte[] encodeState(BaselineState state) {
        WireWriter w = header(new WireWriter(), STATE_MAGIC);
        writeState(w, state);
        return w.toByteArray();
    }

    /** Decodes a whole array as a state. */
    public static BaselineState decodeState(byte[] bytes) {
        return decodeState(bytes, 0, bytes.length);
    }

    /** Decodes {@code bytes[offset, offset + length)} as a state. */
    public static BaselineState decodeState(byte[] bytes, int offset, int length) {
        WireReader r = new WireReader("baseline state", bytes, offset, length);
        readHeader(r, STATE_MAGIC, "MNBS");
        BaselineState state = readState(r);
        r.expectEnd();
        return state;
    }

    /** Encodes a command. */
    public static byte[] encodeCommand(BaselineCommand command) {
        WireWriter w = header(new WireWriter(), COMMAND_MAGIC).u8(command.kind().code());
        switch (command.kind()) {
            case INIT: {
                Init c = (Init) command;
                w.i32(c.partitions()).i32(c.replicationFactor());
                break;
            }
            case ADD_MEMBER: {
                AddMember c = (AddMember) command;
                w.string(c.id()).string(c.endpoint()).i32(c.weight());
                writeOptional(w, c.zone());
                w.i64(c.atMillis());
                break;
            }
            case DRAIN_MEMBER:
                w.string(((DrainMember) command).id());
                break;
            case REMOVE_MEMBER:
                w.string(((RemoveMember) command).id());
                break;
            case SET_WEIGHT: {
                SetWeight c = (SetWeight) command;
                w.string(c.id()).i32(c.weight());
                break;
            }
            case CREATE_SPACE: {
                CreateSpace c = (CreateSpace) command;
                w.string(c.name()).i32(c.dimension()).i64(c.quotaBytes());
                break;
            }
            case DROP_SPACE:
                w.string(((DropSpace) command).name());
                break;
            case CONFIRM_MOVES: {
                ConfirmMoves c = (ConfirmMoves) command;
                w.string(c.id()).i64(c.ownershipEpoch());
                break;
            }
            default:
                throw new IllegalStateException("unhandled command kind " + command.kind());
        }
        return w.toByteArray();
    }

    /** Decodes a whole array as a command. */
    public static BaselineCommand decodeCommand(byte[] bytes) {
        return decodeCommand(bytes, 0, bytes.length);
    }

    /** Decodes {@code bytes[offset, offset + length)} as a command. */
    public static BaselineCommand decodeCommand(byte[] bytes, int offset, int length) {
        WireReader r = new WireReader("baseline command", bytes, offset, length);
        readHeader(r, COMMAND_MAGIC, "MNBC");
        int at = r.position();
        BaselineCommand.Kind kind;
        try {
            kind = BaselineCommand.Kind.fromCode(r.u8("kind"));
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage(), at, e);
        }
        BaselineCommand command;
        try {
            switch (kind) {
                case INIT:
                    command = new Init(r.i32("partitions"), r.i32("replicationFactor"));
                    break;
                case ADD_MEMBER:
                    command = new AddMember(r.string("id"), r.string("endpoint"), r.i32("weight"), readOptional(r, "zone"),
                            r.i64("atMillis"));
                    break;
                case DRAIN_MEMBER:
                    command = new DrainMember(r.string("id"));
                    break;
                case REMOVE_MEMBER:
                    command = new RemoveMember(r.string("id"));
                    break;
                case SET_WEIGHT:
                    command = new SetWeight(r.string("id"), r.i32("weight"));
                    break;
                case CREATE_SPACE:
                    command = new CreateSpace(r.string("name"), r.i32("dimension"), r.i64("quotaBytes"));
                    break;
                case DROP_SPACE:
                    command = new DropSpace(r.string("name"));
                    break;
                case CONFIRM_MOVES:
                    command = new ConfirmMoves(r.string("id"), r.i64("ownershipEpoch"));
                    break;
                default:
                    throw new IllegalStateException("unhandled command kind " + kind);
            }
        } catch (IllegalArgumentException e) {
            throw r.fail(kind + ": " + e.getMessage(), at, e);
        }
        r.expectEnd();
        return command;
    }

    /** Encodes a result with the full resulting state. */
    static byte[] encodeResult(CommandResult result) {
        WireWriter w = header(new WireWriter(), RESULT_MAGIC).u8(result.outcome().code());
        if (result.reason() != null) {
            w.u8(result.reason().code());
            String message = result.message();
            w.string(message.length() > 4096 ? message.substring(0, 4096) + "..." : message);
        }
        writeState(w, result.state());
        return w.toByteArray();
    }

    static CommandResult decodeResult(byte[] bytes, int offset, int length) {
        WireReader r = new WireReader("baseline command result", bytes, offset, length);
        readHeader(r, RESULT_MAGIC, "MNBR");
        int at = r.position();
        try {
            CommandResult.Outcome outcome = CommandResult.Outcome.fromCode(r.u8("outcome"));
            RejectionReason reason = null;
            String message = "";
            if (outcome == CommandResult.Outcome.REJECTED) {
                reason = RejectionReason.fromCode(r.u8("reason"));
                message = r.string("message");
            }
            BaselineState state = readState(r);
            r.expectEnd();
            return new CommandResult(outcome, state, reason, message);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage(), at, e);
        }
    }

    private static WireWriter header(WireWriter w, int magic) {
        return w.i32(magic).u8(VERSION);
    }

    private static void readHeader(WireReader r, int magic, String magicName) {
        int found = r.i32("magic");
        if (found != magic) {
            throw r.fail(String.format("magic must be 0x%08X (%s), got 0x%08X", magic, magicName, found), 0, null);
        }
        int version = r.u8("version");
        if (version != VERSION) {
            throw r.fail("format version " + version + " is not supported: this node reads version " + VERSION
                    + (version > VERSION ? "; it was written by a newer Mnemo, upgrade this node" : ""), 4, null);
        }
    }

    private static void writeState(WireWriter w, BaselineState s) {
        w.i64(s.epoch()).i32(s.partitions()).i32(s.replicationFactor());
        writeMembers(w, s.members());
        List<SpaceSettings> spaces = s.spaces();
        w.i32(spaces.size());
        for (SpaceSettings sp : spaces) {
            w.string(sp.name()).i32(sp.dimension()).i64(sp.quotaBytes());
        }
        w.i64(s.ownershipEpoch());
        Transition t = s.transition().orElse(null);
        if (t == null) {
            w.u8(0);
        } else {
            w.u8(1);
            writeMembers(w, t.source());
            w.i32(t.confirmed().size());
            for (String id : t.confirmed()) {
                w.string(id);
            }
        }
    }

    private static void writeMembers(WireWriter w, List<BaselineMember> members) {
        w.i32(members.size());
        for (BaselineMember m : members) {
            w.string(m.id()).string(m.endpoint()).i32(m.weight());
            writeOptional(w, m.zone());
            w.u8(m.state().code()).i64(m.lastConfirmedMillis());
        }
    }

    private static BaselineState readState(WireReader r) {
        int start = r.position();
        long epoch = r.i64("epoch");
        int partitions = r.i32("partitions");
        int replicationFactor = r.i32("replicationFactor");
        List<BaselineMember> members = readMembers(r, "member");
        int spaceCount = r.count("space count", Validation.MAX_SPACES, MIN_SPACE_BYTES);
        List<SpaceSettings> spaces = new ArrayList<>(spaceCount);
        String lastName = null;
        for (int i = 0; i < spaceCount; i++) {
            int at = r.position();
            String field = "space[" + i + "]";
            try {
                String name = r.string(field + ".name");
                int dimension = r.i32(field + ".dimension");
                long quota = r.i64(field + ".quotaBytes");
                if (lastName != null && lastName.compareTo(name) >= 0) {
                    throw new IllegalArgumentException("spaces must be sorted by name without repeats, got '" + name
                            + "' after '" + lastName + "'");
                }
                lastName = name;
                spaces.add(new SpaceSettings(name, dimension, quota));
            } catch (IllegalArgumentException e) {
                throw r.fail(field + ": " + e.getMessage(), at, e);
            }
        }
        int ownershipAt = r.position();
        long ownershipEpoch = r.i64("ownershipEpoch");
        int flagAt = r.position();
        int hasTransition = r.u8("transition flag");
        Transition transition = null;
        if (hasTransition == 1) {
            List<BaselineMember> source = readMembers(r, "transition source");
            int confirmedCount = r.count("confirmed count", (int) Validation.MAX_PARTITION_MEMBER_PAIRS, 3);
            List<String> confirmed = new ArrayList<>(confirmedCount);
            for (int i = 0; i < confirmedCount; i++) {
                confirmed.add(r.string("confirmed[" + i + "]"));
            }
            try {
                transition = new Transition(source, confirmed);
            } catch (IllegalArgumentException e) {
                throw r.fail("transition: " + e.getMessage(), flagAt, e);
            }
        } else if (hasTransition != 0) {
            throw r.fail("transition flag must be 0 or 1, got " + hasTransition, flagAt, null);
        }
        if (epoch == 0 && partitions == 0 && replicationFactor == 0) {
            if (ownershipEpoch != 0 || transition != null) {
                throw r.fail("an uninitialized state (epoch 0) must have ownership epoch 0 and no transition", ownershipAt, null);
            }
            if (!members.isEmpty() || !spaces.isEmpty()) {
                throw r.fail("an uninitialized state (epoch 0, partitions 0) must have no members and no spaces, got "
                        + members.size() + " members and " + spaces.size() + " spaces", start, null);
            }
            return BaselineState.empty();
        }
        try {
            return BaselineState.of(epoch, ownershipEpoch, partitions, replicationFactor, members, spaces, transition);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage(), start, e);
        }
    }

    private static List<BaselineMember> readMembers(WireReader r, String what) {
        int memberCount = r.count(what + " count", (int) Validation.MAX_PARTITION_MEMBER_PAIRS, MIN_MEMBER_BYTES);
        List<BaselineMember> members = new ArrayList<>(memberCount);
        String lastId = null;
        for (int i = 0; i < memberCount; i++) {
            int at = r.position();
            String field = what + "[" + i + "]";
            try {
                String id = r.string(field + ".id");
                String endpoint = r.string(field + ".endpoint");
                int weight = r.i32(field + ".weight");
                String zone = readOptional(r, field + ".zone");
                MemberState state = MemberState.fromCode(r.u8(field + ".state"));
                long confirmed = r.i64(field + ".lastConfirmedMillis");
                if (lastId != null && lastId.compareTo(id) >= 0) {
                    throw new IllegalArgumentException("members must be sorted by id without repeats, got '" + id
                            + "' after '" + lastId + "'");
                }
                lastId = id;
                members.add(new BaselineMember(id, endpoint, weight, zone, state, confirmed));
            } catch (IllegalArgumentException e) {
                throw r.fail(field + ": " + e.getMessage(), at, e);
            }
        }
        return members;
    }

    private static void writeOptional(WireWriter w, String s) {
        if (s == null) {
            w.u8(0);
        } else {
            w.u8(1).string(s);
        }
    }

    private static String readOptional(WireReader r, String field) {
        int at = r.position();
        int flag = r.u8(field + " flag");
        if (flag == 0) {
            return null;
        }
        if (flag != 1) {
            throw r.fail(field + " flag must be 0 or 1, got " + flag, at, null);
        }
        return r.string(field);
    }
}
