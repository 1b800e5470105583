package io.mnemo.node.cluster.ownership;

/**
 * A change to the baseline, proposed through {@link OwnershipLog#propose} and applied by every replica
 * in log order ({@link BaselineTransitions} has the rules). Every command is validated when it is built,
 * so a malformed one never reaches the log; every command is also idempotent (applying it twice leaves
 * the state of applying it once), which is what makes retrying a proposal whose outcome is unknown safe.
 */
public sealed interface BaselineCommand {

    /** The command's tag in the binary form. The codes are part of the persisted format: never renumber. */
    enum Kind {
        INIT(1), ADD_MEMBER(2), DRAIN_MEMBER(3), REMOVE_MEMBER(4), SET_WEIGHT(5), CREATE_SPACE(6), DROP_SPACE(7),
        CONFIRM_MOVES(8);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        int code() {
            return code;
        }

        static Kind fromCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new IllegalArgumentException("command kind code must be in [1, 8], got " + code);
        }
    }

    /** This command's kind. */
    Kind kind();

    /**
     * Creates the cluster's baseline with P partitions and replication factor RF: allowed once (repeating
     * it with the same values changes nothing; other values are rejected).
     *
     * @param partitions        P in [1, 65536]
     * @param replicationFactor RF in [1, 16]
     */
    record Init(int partitions, int replicationFactor) implements BaselineCommand {
        /** Validates both values. */
        public Init {
            Validation.partitions(partitions);
            Validation.replicationFactor(replicationFactor);
        }

        @Override
        public Kind kind() {
            return Kind.INIT;
        }
    }

    /**
     * Adds an ACTIVE member; for a member that is already there with the same endpoint, weight and zone it
     * only refreshes {@link BaselineMember#lastConfirmedMillis()} (no epoch bump).
     *
     * @param id          node id
     * @param endpoint    gRPC endpoint {@code host:port}
     * @param weight      placement weight in [1, 1000000]
     * @param zone        failure zone or null
     * @param atMillis    the proposer's wall clock (epoch millis), recorded as the confirmation time; it is
     *                    part of the command so that every replica records the same value
     */
    record AddMember(String id, String endpoint, int weight, String zone, long atMillis) implements BaselineCommand {
        /** Validates every field. */
        public AddMember {
            Validation.name("member id", id);
            Validation.endpoint("member endpoint", endpoint);
            Validation.weight("member weight", weight);
            if (zone != null) {
                Validation.name("member zone", zone);
            }
        }

        @Override
        public Kind kind() {
            return Kind.ADD_MEMBER;
        }
    }

    /**
     * Marks a member DRAINING: new placements leave it out, and it is removed once its data is handed over.
     *
     * @param id node id
     */
    record DrainMember(String id) implements BaselineCommand {
        /** Validates the id. */
        public DrainMember {
            Validation.name("member id", id);
        }

        @Override
        public Kind kind() {
            return Kind.DRAIN_MEMBER;
        }
    }

    /**
     * Removes a member (removing one that is not there changes nothing).
     *
     * @param id node id
     */
    record RemoveMember(String id) implements BaselineCommand {
        /** Validates the id. */
        public RemoveMember {
            Validation.name("member id", id);
        }

        @Override
        public Kind kind() {
            return Kind.REMOVE_MEMBER;
        }
    }

    /**
     * Changes a member's placement weight.
     *
     * @param id     node id
     * @param weight new weight in [1, 1000000]
     */
    record SetWeight(String id, int weight) implements BaselineCommand {
        /** Validates both fields. */
        public SetWeight {
            Validation.name("member id", id);
            Validation.weight("member weight", weight);
        }

        @Override
        public Kind kind() {
            return Kind.SET_WEIGHT;
        }
    }

    /**
     * Creates a space (creating it again with the same settings changes nothing; other settings are rejected).
     *
     * @param name       space name
     * @param dimension  embedding dimension in [1, 65536]
     * @param quotaBytes quota, at least 1
     */
    record CreateSpace(String name, int dimension, long quotaBytes) implements BaselineCommand {
        /** Validates every field. */
        public CreateSpace {
            Validation.spaceName(name);
            Validation.dimension(dimension);
            Validation.quotaBytes(quotaBytes);
        }

        /** The settings this command creates. */
        public SpaceSettings settings() {
            return new SpaceSettings(name, dimension, quotaBytes);
        }

        @Override
        public Kind kind() {
            return Kind.CREATE_SPACE;
        }
    }

    /**
     * Drops a space (dropping one that is not there changes nothing).
     *
     * @param name space name
     */
    record DropSpace(String name) implements BaselineCommand {
        /** Validates the name. */
        public DropSpace {
            Validation.spaceName(name);
        }

        @Override
        public Kind kind() {
            return Kind.DROP_SPACE;
        }
    }

    /**
     * A receiving node's confirmation that it holds every partition it gains in the placement change whose
     * ownership epoch is {@code ownershipEpoch}. A confirmation for another ownership epoch (the target changed
     * since), from a node that receives nothing, or repeated, changes nothing; the last missing one completes the
     * change (a new epoch with no move in progress).
     *
     * @param id             the confirming node's id
     * @param ownershipEpoch the ownership epoch of the target it streamed for
     */
    record ConfirmMoves(String id, long ownershipEpoch) implements BaselineCommand {
        /** Validates both fields. */
        public ConfirmMoves {
            Validation.name("member id", id);
            if (ownershipEpoch < 1) {
                throw new IllegalArgumentException("ownership epoch must be >= 1, got " + ownershipEpoch);
            }
        }

        @Override
        public Kind kind() {
            return Kind.CONFIRM_MOVES;
        }
    }
}
