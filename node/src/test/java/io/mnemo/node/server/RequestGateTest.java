package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RequestGateTest {

    @Test
    void tryEnter_beforeOpen_refused() {
        RequestGate gate = new RequestGate();

        assertThat(gate.tryEnter()).isFalse();
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void tryEnter_afterClose_refusedWhileAdmittedCallsCarryOn() {
        RequestGate gate = new RequestGate();
        gate.open();
        assertThat(gate.tryEnter()).isTrue();

        gate.close();

        assertThat(gate.tryEnter()).isFalse();
        assertThat(gate.isOpen()).isFalse();
        assertThat(gate.inFlight()).isEqualTo(1);
    }

    @Test
    void awaitIdle_callInFlight_returnsTrueOnceItExits() throws Exception {
        RequestGate gate = new RequestGate();
        gate.open();
        assertThat(gate.tryEnter()).isTrue();
        gate.close();

        CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.awaitIdle(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        assertThat(idle).isNotDone();
        gate.exit();

        assertThat(idle.get(20, TimeUnit.SECONDS)).isTrue();
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void awaitIdle_callNeverExits_falseAfterTimeout() throws Exception {
        RequestGate gate = new RequestGate();
        gate.open();
        assertThat(gate.tryEnter()).isTrue();

        assertThat(gate.awaitIdle(Duration.ofMillis(50))).isFalse();
        assertThat(gate.inFlight()).isEqualTo(1);
    }
}
