package io.mnemo.node.replication;

import io.mnemo.node.config.Quorum;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of one node's replication. Immutable; built by a validating {@link Builder} whose setters reject bad
 * values (naming them) and refuse being set twice.
 *
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>nodeId</td><td>(required)</td><td>this node; stamped into the versions it coordinates</td></tr>
 * <tr><td>writeQuorum</td><td>majority</td><td>W, resolved against each partition's replica count</td></tr>
 * <tr><td>readQuorum</td><td>majority</td><td>R for {@link ReadConsistency#QUORUM}</td></tr>
 * <tr><td>writeTimeout</td><td>2 s</td><td>deadline for W durable copies</td></tr>
 * <tr><td>readTimeout</td><td>2 s</td><td>deadline for R answers</td></tr>
 * <tr><td>hedgeDelay</td><td>off (zero)</td><td>after this, a slow read also asks one more replica</td></tr>
 * <tr><td>maxHintsPerTarget</td><td>10000</td><td>hint queue bound per target, in records</td></tr>
 * <tr><td>maxHintBytesPerTarget</td><td>64 MiB</td><td>hint queue bound per target, in estimated bytes</td></tr>
 * <tr><td>hintBatchSize</td><td>128</td><td>hints per delivery call</td></tr>
 * <tr><td>hintInterval</td><td>1 s</td><td>period of the hint delivery loop</td></tr>
 * <tr><td>antiEntropyInterval</td><td>30 s</td><td>period of the anti-entropy loop (one partition per tick)</td></tr>
 * <tr><td>jitter</td><td>0.2</td><td>loop periods vary by +/- this fraction, seeded</td></tr>
 * <tr><td>seed</td><td>nodeId</td><td>seed of the loops' jitter</td></tr>
 * </table>
 */
public final class ReplicationConfig {
    private final int nodeId;
    private final Quorum writeQuorum;
    private final Quorum readQuorum;
    private final Duration writeTimeout;
    private final Duration readTimeout;
    private final Duration hedgeDelay;
    private final int maxHintsPerTarget;
    private final long maxHintBytesPerTarget;
    private final int hintBatchSize;
    private final Duration hintInterval;
    private final Duration antiEntropyInterval;
    private final double jitter;
    private final long seed;

    private ReplicationConfig(Builder b) {
        this.nodeId = b.nodeId;
        this.writeQuorum = b.writeQuorum;
        this.readQuorum = b.readQuorum;
        this.writeTimeout = b.writeTimeout;
        this.readTimeout = b.readTimeout;
        this.hedgeDelay = b.hedgeDelay;
        this.maxHintsPerTarget = b.maxHintsPerTarget;
        this.maxHintBytesPerTarget = b.maxHintBytesPerTarget;
        this.hintBatchSize = b.hintBatchSize;
        this.hintInterval = b.hintInterval;
        this.antiEntropyInterval = b.antiEntropyInterval;
        this.jitter = b.jitter;
        this.seed = b.seedSet ? b.seed : b.nodeId;
    }

    public static Builder builder(int nodeId) {
        return new Builder(nodeId);
    }

    public int nodeId() {
        return nodeId;
    }

    public Quorum writeQuorum() {
        return writeQuorum;
    }

    public Quorum readQuorum() {
        return readQuorum;
    }

    public Duration writeTimeout() {
        return writeTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    /** Zero when hedging is off. */
    public Duration hedgeDelay() {
        return hedgeDelay;
    }

    public int maxHintsPerTarget() {
        return maxHintsPerTarget;
    }

    public long maxHintBytesPerTarget() {
        return maxHintBytesPerTarget;
    }

    public int hintBatchSize() {
        return hintBatchSize;
    }

    public Duration hintInterval() {
        return hintInterval;
    }

    public Duration antiEntropyInterval() {
        return antiEntropyInterval;
    }

    public double jitter() {
        return jitter;
    }

    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "ReplicationConfig[nodeId=" + nodeId + ", W=" + writeQuorum + ", R=" + readQuorum + ", writeTimeout="
                + writeTimeout + ", readTimeout=" + readTimeout + ", hedgeDelay=" + hedgeDelay + ", maxHintsPerTarget="
                + maxHintsPerTarget + ", maxHintBytesPerTarget=" + maxHintBytesPerTarget + ", hintBatchSize="
                + hintBatchSize + ", hintInterval=" + hintInterval + ", antiEntropyInterval=" + antiEntropyInterval
                + ", jitter=" + jitter + ", seed=" + seed + "]";
    }

    /** Builds a {@link ReplicationConfig}. Not thread-safe. */
    public static final class Builder {
        private final int nodeId;
        private Quorum writeQuorum = Quorum.MAJORITY;
        private Quorum readQuorum = Quorum.MAJORITY;
        private Duration writeTimeout = Duration.ofSeconds(2);
        private Duration readTimeout = Duration.ofSeconds(2);
        private Duration hedgeDelay = Duration.ZERO;
        private int maxHintsPerTarget = 10_000;
        private long maxHintBytesPerTarget = 64L << 20;
        private int hintBatchSize = 128;
        private Duration hintInterval = Duration.ofSeconds(1);
        private Duration antiEntropyInterval = Duration.ofSeconds(30);
        private double jitter = 0.2;
        private long seed;
        private boolean seedSet;
        private final Set<String> set = new HashSet<>();

        private Builder(int nodeId) {
            if (nodeId < 0) {
                throw new IllegalArgumentException("nodeId must be >= 0, got " + nodeId);
            }
            this.nodeId = nodeId;
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        private static Duration positive(String name, Duration v) {
            Objects.requireNonNull(v, name);
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + v);
            }
            return v;
        }

        public Builder writeQuorum(Quorum v) {
            once("writeQuorum");
            this.writeQuorum = Objects.requireNonNull(v, "writeQuorum");
            return this;
        }

        public Builder readQuorum(Quorum v) {
            once("readQuorum");
            this.readQuorum = Objects.requireNonNull(v, "readQuorum");
            return this;
        }

        public Builder writeTimeout(Duration v) {
            once("writeTimeout");
            this.writeTimeout = positive("writeTimeout", v);
            return this;
        }

        public Builder readTimeout(Duration v) {
            once("readTimeout");
            this.readTimeout = positive("readTimeout", v);
            return this;
        }

        /** Zero turns hedging off. */
        public Builder hedgeDelay(Duration v) {
            once("hedgeDelay");
            Objects.requireNonNull(v, "hedgeDelay");
            if (v.isNegative()) {
                throw new IllegalArgumentException("hedgeDelay must be >= 0, got " + v);
            }
            this.hedgeDelay = v;
            return this;
        }

        public Builder maxHintsPerTarget(int v) {
            once("maxHintsPerTarget");
            if (v < 0) {
                throw new IllegalArgumentException("maxHintsPerTarget must be >= 0, got " + v);
            }
            this.maxHintsPerTarget = v;
            return this;
        }

        public Builder maxHintBytesPerTarget(long v) {
            once("maxHintBytesPerTarget");
            if (v < 0) {
                throw new IllegalArgumentException("maxHintBytesPerTarget must be >= 0, got " + v);
            }
            this.maxHintBytesPerTarget = v;
            return this;
        }

        public Builder hintBatchSize(int v) {
            once("hintBatchSize");
            if (v < 1) {
                throw new IllegalArgumentException("hintBatchSize must be >= 1, got " + v);
            }
            this.hintBatchSize = v;
            return this;
        }

        public Builder hintInterval(Duration v) {
            once("hintInterval");
            this.hintInterval = positive("hintInterval", v);
            return this;
        }

        public Builder antiEntropyInterval(Duration v) {
            once("antiEntropyInterval");
            this.antiEntropyInterval = positive("antiEntropyInterval", v);
            return this;
        }

        /** In [0, 0.9]. */
        public Builder jitter(double v) {
            once("jitter");
            if (!(v >= 0 && v <= 0.9)) {
                throw new IllegalArgumentException("jitter must be in [0, 0.9], got " + v);
            }
            this.jitter = v;
            return this;
        }

        public Builder seed(long v) {
            once("seed");
            this.seed = v;
            this.seedSet = true;
            return this;
        }

        public ReplicationConfig build() {
            return new ReplicationConfig(this);
        }
    }
}
