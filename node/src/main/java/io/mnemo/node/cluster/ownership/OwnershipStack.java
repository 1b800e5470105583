package io.mnemo.node.cluster.ownership;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.raft.ELECTION;
import org.jgroups.protocols.raft.FileBasedLog;
import org.jgroups.protocols.raft.NO_DUPES;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.REDIRECT;
import org.jgroups.stack.Protocol;

/**
 * The JGroups protocol stack of the ownership group, built in code rather than from {@code tcp.xml}.
 *
 * <p>Why not the stock stack: its failure detection takes ~40 s, it binds to whatever address it finds
 * and it uses multicast discovery. Here, bottom to top:
 * <ul>
 *   <li>TCP on exactly the configured address and port ({@code port_range=0}: a taken port fails the
 *       start instead of silently moving, which would break the static member list). The programmatic
 *       channel constructor also switches the diagnostics handler (a multicast socket) off.</li>
 *   <li>TCPPING with the static Raft member list: the voters are configuration, not discovered.</li>
 *   <li>MERGE3 every 1-3 s, so the sides of a healed partition merge quickly.</li>
 *   <li>FD_SOCK (a crashed process closes its socket: suspected at once) on an ephemeral port of the bind
 *       address, and FD_ALL3 (heartbeats every third of the timeout) for hung or cut-off processes; with
 *       VERIFY_SUSPECT a silent member is excluded after about timeout + verify time, 1-3 s by default.</li>
 *   <li>NAKACK2, UNICAST3, STABLE: reliable ordered delivery, retransmission at 200-500 ms.</li>
 *   <li>NO_DUPES refuses a join by a second process with a raft id already in the view.</li>
 *   <li>GMS with a 1 s join timeout, so the first node of a fresh group does not wait long.</li>
 *   <li>FRAG4 for snapshots larger than a frame.</li>
 *   <li>ELECTION (jgroups-raft's view-based election, which RAFT needs below it: a leader steps down as
 *       soon as its view loses the majority), RAFT and REDIRECT (forwards a follower's proposal to the
 *       leader and its reply back).</li>
 * </ul>
 *
 * <p>RAFT's {@code send_commits_immediately} stays off: in 1.0.14 a leader with it on answers every
 * append response from a follower that is still catching up with another commit-only message, the
 * follower answers that too, and the two ping-pong forever while the missing entries (sent only when the
 * leader's queue is idle) never go out; a restarted member never caught up. Followers instead learn the
 * commit index with the next append or the idle resend every {@value #RESEND_INTERVAL_MS} ms, which is
 * how far behind the leader a follower's {@code current()} can be.
 *
 * <p>The Raft log is {@link FileBasedLog} rather than jgroups-raft 1.0's default {@code LevelDBLog}: it is
 * plain Java files (LevelDB comes through leveldbjni, a JNI library with native builds for a few
 * platforms only, which would tie the node to them), it honours {@code log_use_fsync} for the entries and
 * the metadata (term, vote, commit index), and the log is tiny (one entry per topology change), so
 * LevelDB's compaction buys nothing.
 */
final class OwnershipStack {
    /** How often the leader resends missing entries and the commit index to followers when idle. */
    static final long RESEND_INTERVAL_MS = 250;

    private OwnershipStack() {
    }

    static List<Protocol> build(RaftOwnershipConfig c) {
        long fdTimeoutMs = c.failureDetectionTimeout().toMillis();
        List<InetSocketAddress> hosts = new ArrayList<>(c.raftMembers().values());

        TCP tcp = new TCP();
        tcp.setBindAddress(c.bindAddress());
        tcp.setBindPort(c.bindPort());
        tcp.setPortRange(0);

        TCPPING ping = new TCPPING();
        ping.initialHosts(hosts);
        ping.portRange(0);

        MERGE3 merge = new MERGE3();
        merge.setMinInterval(1000);
        merge.setMaxInterval(3000);

        FD_SOCK fdSock = new FD_SOCK();
        fdSock.setBindAddress(c.bindAddress());
        fdSock.setStartPort(0);

        FD_ALL3 fdAll = new FD_ALL3();
        fdAll.setTimeout(fdTimeoutMs);
        fdAll.setInterval(Math.max(100, fdTimeoutMs / 3));

        VERIFY_SUSPECT verify = new VERIFY_SUSPECT();
        verify.setTimeout(Math.max(100, Math.min(1000, fdTimeoutMs / 3)));
        verify.setBindAddress(c.bindAddress());

        NAKACK2 nakack = new NAKACK2();
        nakack.setXmitInterval(200);
        nakack.useMcastXmit(false);

        UNICAST3 unicast = new UNICAST3();
        unicast.setXmitInterval(200);

        STABLE stable = new STABLE();
        stable.setDesiredAverageGossip(5000);
        stable.setMaxBytes(1 << 20);

        GMS gms = new GMS();
        gms.setJoinTimeout(1000);
        gms.setLeaveTimeout(1000);
        gms.printLocalAddress(false);

        RAFT raft = new RAFT();
        raft.raftId(c.nodeId());
        raft.members(List.copyOf(c.raftMembers().keySet()));
        raft.logClass(FileBasedLog.class.getName());
        raft.logDir(c.logDir().toString());
        raft.logUseFsync(c.fsync());
        raft.maxLogSize(c.snapshotThresholdBytes());
        raft.resendInterval(RESEND_INTERVAL_MS);
        raft.sendCommitsImmediately(false);

        return List.of(tcp, ping, merge, fdSock, fdAll, verify, nakack, unicast, stable, new NO_DUPES(), gms, new FRAG4(),
                new ELECTION(), raft, new REDIRECT());
    }
}
