package io.mnemo.node.cluster.ownership;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Consumer;
import org.jgroups.raft.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jgroups-raft {@link StateMachine} around {@link BaselineTransitions}.
 *
 * <p>Threads: RAFT calls {@link #apply}, {@link #writeContentTo} and {@link #readContentFrom} from its
 * single processing thread (or from the thread that connects the channel, before that thread starts),
 * never concurrently, so {@link #state} has one writer; it is volatile for the readers of
 * {@link #current()}. New epochs go to {@code onNewEpoch}, which must not block.
 *
 * <p>Replies: on the leader RAFT asks for a serialized reply, which carries the outcome and the whole
 * resulting state back to the proposer (through REDIRECT when the proposer is a follower). A log entry
 * that does not decode is rejected as {@link RejectionReason#MALFORMED_COMMAND} on every replica alike,
 * rather than throwing, which RAFT would only log.
 */
final class BaselineStateMachine implements StateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(BaselineStateMachine.class);

    private final Consumer<BaselineState> onNewEpoch;
    private volatile BaselineState state = BaselineState.empty();
    /** Written only by the RAFT thread (single writer), hence a plain volatile increment. */
    private volatile long snapshotsRestored;

    BaselineStateMachine(Consumer<BaselineState> onNewEpoch) {
        this.onNewEpoch = onNewEpoch;
    }

    BaselineState current() {
        return state;
    }

    long snapshotsRestored() {
        return snapshotsRestored;
    }

    @Override
    public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
        BaselineState before = state;
        CommandResult result;
        try {
            result = BaselineTransitions.apply(before, BaselineCodec.decodeCommand(data, offset, length));
        } catch (BaselineFormatException e) {
            LOG.error("rejecting a Raft log entry that is not a baseline command", e);
            result = CommandResult.rejected(before, RejectionReason.MALFORMED_COMMAND, e.getMessage());
        }
        advance(before, result.state());
        return serializeResponse ? BaselineCodec.encodeResult(result) : null;
    }

    @Override
    public void writeContentTo(DataOutput out) throws IOException {
        byte[] bytes = BaselineCodec.encodeState(state);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    @Override
    public void readContentFrom(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > BaselineCodec.MAX_STATE_BYTES) {
            throw new BaselineFormatException("baseline snapshot: length must be in [0, " + BaselineCodec.MAX_STATE_BYTES
                    + "], got " + length + " (at byte offset 0)", 0, null);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        BaselineState restored = BaselineCodec.decodeState(bytes);
        LOG.info("baseline restored from a snapshot at epoch {}", restored.epoch());
        snapshotsRestored++;
        advance(state, restored);
    }

    private void advance(BaselineState before, BaselineState after) {
        state = after;
        if (after.epoch() > before.epoch()) {
            onNewEpoch.accept(after);
        }
    }
}
