package io.mnemo.node.config;

import java.util.Objects;

/**
 * One initial voter of the Raft ownership log: a node id and the address of its Raft port. Written
 * {@code nodeId@host:port} ({@code 2@10.0.0.2:7800}, {@code 3@[::1]:7800}) in {@code mnemo.raft.members}.
 *
 * @param nodeId  the voter's {@code mnemo.node.id}
 * @param address where its {@code mnemo.raft.port} listens
 */
public record RaftMember(int nodeId, HostPort address) {
    /** Checks the id is a valid node id. */
    public RaftMember {
        Objects.requireNonNull(address, "address");
        if (nodeId < 0) {
            throw new IllegalArgumentException("node id must be >= 0, got " + nodeId);
        }
    }

    /**
     * Reads {@code nodeId@host:port}.
     *
     * @throws IllegalArgumentException saying what is wrong, with the text
     */
    public static RaftMember parse(String text) {
        String s = text.strip();
        int at = s.indexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            throw new IllegalArgumentException("expected nodeId@host:port, got '" + text + "'");
        }
        int id;
        try {
            id = Integer.parseInt(s.substring(0, at).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("node id of '" + text + "' is not a whole number");
        }
        if (id < 0) {
            throw new IllegalArgumentException("node id of '" + text + "' must be >= 0");
        }
        return new RaftMember(id, HostPort.parse(s.substring(at + 1).strip()));
    }

    /** {@code nodeId@host:port}, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return nodeId + "@" + address;
    }
}
