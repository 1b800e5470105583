package io.mnemo.node.cluster.ownership;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.raft.RaftHandle;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.Util;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OwnershipLog} on jgroups-raft: this node's member of the Raft group that holds the baseline.
 *
 * <p>The JGroups stack is {@link OwnershipStack}; the Raft log and snapshots live under
 * {@link RaftOwnershipConfig#logDir()}, so a restarted node reloads its snapshot and committed entries
 * before it rejoins and then catches up from the leader (entries, or a snapshot if the leader truncated
 * its log past this node's position). Proposals go through jgroups-raft's {@link RaftHandle}, whose
 * {@code setAsync} reaches REDIRECT: on a follower the command is forwarded to the leader and the reply
 * comes back; {@link Proposer} adds the deadline and the retries.
 *
 * <p>Threads: JGroups' own threads plus RAFT's processing thread, which applies commands to
 * {@link BaselineStateMachine}; a single "timer" thread runs proposal attempts and deadlines; one thread
 * completes callers' futures; one thread calls epoch listeners. None of ours holds a lock while calling
 * out: the only shared mutable fields are volatile or atomic.
 */
public final class RaftOwnershipLog implements OwnershipLog {
    private static final Logger LOG = LoggerFactory.getLogger(RaftOwnershipLog.class);

    private final RaftOwnershipConfig config;
    private final ExecutorService listenerExecutor;
    private final ExecutorService completionExecutor;
    private final ScheduledThreadPoolExecutor timer;
    private final EpochNotifier notifier;
    private final BaselineStateMachine stateMachine;
    private final JChannel channel;
    private final RaftHandle handle;
    private final Proposer proposer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RaftOwnershipLog(RaftOwnershipConfig config) throws Exception {
        this.config = config;
        String id = config.nodeId();
        this.listenerExecutor = Executors.newSingleThreadExecutor(daemon("mnemo-ownership-listeners-" + id));
        this.completionExecutor = Executors.newSingleThreadExecutor(daemon("mnemo-ownership-completions-" + id));
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("mnemo-ownership-timer-" + id));
        this.timer.setRemoveOnCancelPolicy(true);
        BaselineStateMachine[] sm = new BaselineStateMachine[1];
        this.notifier = new EpochNotifier(listenerExecutor, () -> sm[0].current());
        this.stateMachine = new BaselineStateMachine(notifier::publish);
        sm[0] = stateMachine;
        try {
            this.channel = new JChannel(OwnershipStack.build(config)).name(id);
            this.handle = new RaftHandle(channel, stateMachine);
        } catch (Exception e) {
            shutdownExecutors();
            throw e;
        }
        this.proposer = new Proposer(bytes -> handle.setAsync(bytes, 0, bytes.length), timer, completionExecutor,
                System::nanoTime, config.proposeTimeout(), config.attemptTimeout(), stateMachine::current, this::leaderIdOrEmpty);
    }

    /**
     * Starts this node's member of the ownership group: loads the persisted log and snapshot, binds, and
     * joins the other configured members that are up. Returns once joined (a leader may not be elected yet).
     *
     * @throws Exception when the log cannot be opened, the address cannot be bound or the channel cannot connect;
     *                   everything started so far is closed again
     */
    public static RaftOwnershipLog start(RaftOwnershipConfig config) throws Exception {
        Objects.requireNonNull(config, "config");
        try {
            Files.createDirectories(config.logDir());
        } catch (IOException e) {
            throw new IOException("cannot create the ownership log directory " + config.logDir() + ": " + e.getMessage(), e);
        }
        RaftOwnershipLog log = new RaftOwnershipLog(config);
        try {
            log.channel.connect(config.clusterName());
        } catch (Exception e) {
            log.close();
            throw e;
        }
        LOG.info("ownership log {} started on {}:{} with voters {}, baseline epoch {}", config.nodeId(),
                config.bindAddress().getHostAddress(), config.bindPort(), config.raftMembers().keySet(), log.current().epoch());
        return log;
    }

    @Override
    public BaselineState current() {
        checkOpen();
        return stateMachine.current();
    }

    @Override
    public CompletableFuture<BaselineState> propose(BaselineCommand command) {
        Objects.requireNonNull(command, "command");
        checkOpen();
        return proposer.propose(command);
    }

    @Override
    public Subscription addEpochListener(EpochListener listener) {
        checkOpen();
        return notifier.add(listener);
    }

    @Override
    public boolean isLeader() {
        return !closed.get() && handle.isLeader();
    }

    @Override
    public Optional<String> leaderId() {
        return closed.get() ? Optional.empty() : leaderIdOrEmpty();
    }

    @Override
    public long listenerFailureCount() {
        return notifier.failureCount();
    }

    /** This node's id. */
    public String nodeId() {
        return config.nodeId();
    }

    /** The index of the last Raft log entry this node knows to be committed. */
    public long commitIndex() {
        checkOpen();
        return handle.commitIndex();
    }

    /** The number of entries in this node's Raft log (it shrinks when a snapshot truncates the log). */
    public long logSize() {
        checkOpen();
        return handle.logSize();
    }

    /**
     * How many times this node's baseline was replaced by a snapshot: its own at start, or the leader's
     * when this node was behind the leader's truncated log.
     */
    public long snapshotsRestored() {
        return stateMachine.snapshotsRestored();
    }

    /** Writes a snapshot of the baseline and truncates the log up to the commit index. Blocks until done. */
    public void snapshot() throws Exception {
        checkOpen();
        handle.snapshot();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        proposer.close();
        notifier.clear();
        try {
            Util.close(channel);
        } finally {
            shutdownExecutors();
        }
        LOG.info("ownership log {} closed", config.nodeId());
    }

    private void shutdownExecutors() {
        timer.shutdownNow();
        completionExecutor.shutdown();
        listenerExecutor.shutdown();
        try {
            completionExecutor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "RaftOwnershipLog[" + config.nodeId() + (closed.get() ? ", closed" : ", leader=" + leaderIdOrEmpty().orElse("none")
                + ", epoch=" + stateMachine.current().epoch()) + "]";
    }

    private Optional<String> leaderIdOrEmpty() {
        Address leader = handle.leader();
        if (leader instanceof ExtendedUUID) {
            byte[] raftId = ((ExtendedUUID) leader).get(RAFT.raft_id_key);
            if (raftId != null) {
                return Optional.of(Util.bytesToString(raftId));
            }
        }
        return Optional.ofNullable(leader).map(Object::toString);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("ownership log " + config.nodeId() + " is closed");
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> LOG.error("uncaught exception on {}", thread.getName(), e));
            return t;
        };
    }
}
