package io.saliencystream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerPortsTest {

    @Test
    void listeningPortsAreFreeAndBelowTheEphemeralRangeOutgoingConnectionsDrawFrom() throws Exception {
        int ephemeralStart = EmbeddedKafkaBroker.ephemeralRangeStart();
        assertThat(ephemeralStart).isGreaterThan(11_000);
        for (int i = 0; i < 50; i++) {
            int port = EmbeddedKafkaBroker.freePort();
            assertThat(port).isBetween(10_000, ephemeralStart - 1);
            try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertThat(bound.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void portsAlreadyChosenForTheSameBrokerAreNotChosenAgain() {
        int[] chosen = IntStream.range(0, 200).map(i -> EmbeddedKafkaBroker.freePort()).distinct().toArray();
        // 2,000 draws against 200 chosen ports of about 22,000: without the check some would repeat
        for (int i = 0; i < 2_000; i++) {
            int port = EmbeddedKafkaBroker.freePort(chosen);
            assertThat(chosen).doesNotContain(port);
        }
    }
}
