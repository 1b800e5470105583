package io.mnemo.node.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LocalServicesTest {
    @Test
    void get_registeredType_returnsTheInstance() {
        LocalServices services = new LocalServices().register(CharSequence.class, "storage");

        assertThat(services.get(CharSequence.class)).isEqualTo("storage");
        assertThat(services.find(Integer.class)).isEmpty();
    }

    @Test
    void register_sameTypeTwice_refused() {
        LocalServices services = new LocalServices().register(CharSequence.class, "one");

        assertThatThrownBy(() -> services.register(CharSequence.class, "two")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already registered");
        assertThat(services.get(CharSequence.class)).isEqualTo("one");
    }

    @Test
    void get_missingType_failsNamingItAndTheRegisteredOnes() {
        LocalServices services = new LocalServices().register(CharSequence.class, "x");

        assertThatThrownBy(() -> services.get(Integer.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("java.lang.Integer").hasMessageContaining("java.lang.CharSequence");
    }

    @Test
    void service_onNodeContext_delegatesToItsServices() {
        NodeContext context = new NodeContext("n1", new LocalServices().register(CharSequence.class, "s"));

        assertThat(context.nodeId()).isEqualTo("n1");
        assertThat(context.service(CharSequence.class)).isEqualTo("s");
    }
}
