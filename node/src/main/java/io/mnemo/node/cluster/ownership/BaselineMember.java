package io.mnemo.node.cluster.ownership;

import java.util.Objects;
import java.util.Optional;

/**
 * A node in the baseline: its stable id, the gRPC endpoint peers and clients reach it at, a relative
 * placement weight, an optional failure zone, whether it is active or draining, and when the baseline
 * last confirmed it.
 *
 * @param id                   stable node id (what placement hashes), 1..255 UTF-8 bytes, no whitespace
 * @param endpoint             gRPC endpoint {@code host:port} ({@code [::1]:7000} for IPv6)
 * @param weight               relative placement weight in [1, 1000000]
 * @param zone                 failure zone, or null for none
 * @param state                ACTIVE or DRAINING
 * @param lastConfirmedMillis  wall-clock time (epoch millis, as stamped by the proposer of the command) at
 *                             which a committed command last added or re-confirmed this member; moving it is
 *                             bookkeeping and bumps no epoch
 */
public record BaselineMember(String id, String endpoint, int weight, String zone, MemberState state, long lastConfirmedMillis) {
    /** Validates every field; see the parameter descriptions. */
    public BaselineMember {
        Validation.name("member id", id);
        Validation.endpoint("member endpoint", endpoint);
        Validation.weight("member weight", weight);
        if (zone != null) {
            Validation.name("member zone", zone);
        }
        Objects.requireNonNull(state, "member state");
    }

    /** The failure zone, if any. */
    public Optional<String> zoneIfAny() {
        return Optional.ofNullable(zone);
    }

    BaselineMember withState(MemberState newState) {
        return new BaselineMember(id, endpoint, weight, zone, newState, lastConfirmedMillis);
    }

    BaselineMember withWeight(int newWeight) {
        return new BaselineMember(id, endpoint, newWeight, zone, state, lastConfirmedMillis);
    }

    BaselineMember withLastConfirmedMillis(long millis) {
        return new BaselineMember(id, endpoint, weight, zone, state, millis);
    }
}
