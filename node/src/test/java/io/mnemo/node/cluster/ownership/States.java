package io.mnemo.node.cluster.ownership;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;

/** Builders of test states and commands. */
final class States {
    private States() {
    }

    static AddMember add(String id, int port) {
        return new AddMember(id, "10.0.0.1:" + port, 1, null, 1_000L);
    }

    static AddMember addZoned(String id, int port, String zone) {
        return new AddMember(id, "10.0.0.1:" + port, 1, zone, 1_000L);
    }

    /** Applies commands in order from the empty state, failing on a rejection. */
    static BaselineState applyAll(BaselineCommand... commands) {
        BaselineState s = BaselineState.empty();
        for (BaselineCommand c : commands) {
            CommandResult r = BaselineTransitions.apply(s, c);
            if (r.outcome() == CommandResult.Outcome.REJECTED) {
                throw new AssertionError(c + " rejected: " + r.message());
            }
            s = r.state();
        }
        return s;
    }

    static BaselineState initialized() {
        return applyAll(new Init(16, 3));
    }
}
