package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class RankMainTest {

    @Test
    void aClosedChannelAnywhereInTheCauseChainIsALostConnection() {
        // what niodev throws when the peer process dies while a message is being posted
        assertTrue(RankMain.connectionLost(new RuntimeException("xdev", new ClosedChannelException())));
        assertTrue(RankMain.connectionLost(new mpi.MPIException("xdev.XDevException: java.nio.channels.ClosedChannelException")));
        assertFalse(RankMain.connectionLost(new IllegalStateException("a bug of ours", new ArithmeticException())));
    }
}
