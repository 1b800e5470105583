package io.mnemo.node.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.AddMemberRequest;
import io.mnemo.protocol.v1.AdminServiceGrpc;
import io.mnemo.protocol.v1.DrainMemberRequest;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.MembershipChangeResponse;
import io.mnemo.protocol.v1.RemoveMemberRequest;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One {@code mnemo admin add|drain|remove}: a call to a node's {@code AdminService}, its outcome printed for a
 * person and turned into the exit code. A retryable failure is not retried here: the operator (or a script) sees
 * exit code 3 and repeats the command, which is safe because every membership change is idempotent.
 */
final class AdminCall {
    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int RETRYABLE = 3;
    /** More than the node's own wait for a commit (15 s), so the node's answer arrives rather than our deadline. */
    private static final long DEADLINE_SECONDS = 20;

    private final String endpoint;
    private final TlsOptions tls;
    private final PrintWriter out;
    private final PrintWriter err;

    AdminCall(String endpoint, TlsOptions tls, PrintWriter out, PrintWriter err) {
        this.endpoint = endpoint;
        this.tls = tls;
        this.out = out;
        this.err = err;
    }

    /** Runs {@code action} ("add", "drain" or "remove") on member {@code id}; returns the exit code. */
    int change(String action, int id, String memberEndpoint, int weight, String zone) throws InterruptedException {
        ManagedChannel channel = tls.open(endpoint);
        try {
            var stub = AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
            MembershipChangeResponse r;
            switch (action) {
                case "add":
                    r = stub.addMember(AddMemberRequest.newBuilder().setId(id).setEndpoint(memberEndpoint)
                            .setWeight(weight).setZone(zone).build());
                    break;
                case "drain":
                    r = stub.drainMember(DrainMemberRequest.newBuilder().setId(id).build());
                    break;
                case "remove":
                    r = stub.removeMember(RemoveMemberRequest.newBuilder().setId(id).build());
                    break;
                default:
                    throw new IllegalArgumentException("not a membership action: " + action);
            }
            out.printf("%s node %d: in effect at epoch %d%n", action, id, r.getEpoch());
            if (r.hasTopology()) {
                TopologyReport.lines(r.getTopology()).forEach(out::println);
            }
            if (action.equals("drain")) {
                out.printf("node %d is handing its partitions over and serves them until the move completes; once "
                        + "'mnemo admin show' prints 'moving: none', stop its process, then run: mnemo admin remove %d%n",
                        id, id);
            }
            out.flush();
            return OK;
        } catch (StatusRuntimeException e) {
            return failed(action, id, e);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private int failed(String action, int id, StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        Optional<ErrorDetail> detail = Errors.detailOf(e);
        String why = e.getStatus().getDescription() == null ? code.toString() : e.getStatus().getDescription();
        int exit;
        switch (code) {
            case UNAVAILABLE:
            case DEADLINE_EXCEEDED:
                long retryMs = detail.filter(ErrorDetail::hasUnavailable).map(d -> d.getUnavailable().getRetryAfterMs())
                        .orElse(0L);
                err.printf("admin %s %d: not done now (%s): %s; the change is safe to repeat%s%n", action, id, code,
                        why, retryMs > 0 ? ", after " + retryMs + " ms" : "");
                exit = RETRYABLE;
                break;
            case UNAUTHENTICATED:
                err.printf("admin %s %d refused: %s; give --token-file (and --trust-certs for TLS), or --cert/--key%n",
                        action, id, why);
                exit = REFUSED;
                break;
            case INVALID_ARGUMENT:
            case FAILED_PRECONDITION:
                String reason = detail.filter(ErrorDetail::hasInvalidArgument)
                        .map(d -> d.getInvalidArgument().getField() + ": " + d.getInvalidArgument().getReason())
                        .orElse(why);
                err.printf("admin %s %d refused: %s%n", action, id, reason);
                exit = REFUSED;
                break;
            default:
                err.printf("admin %s %d failed (%s): %s%n", action, id, code, why);
                exit = REFUSED;
                break;
        }
        err.flush();
        return exit;
    }
}
