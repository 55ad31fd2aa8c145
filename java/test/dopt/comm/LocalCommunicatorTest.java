package dopt.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** With one rank every byte operation returns the rank's own message, and a message to itself is capped like any other. */
class LocalCommunicatorTest {
    @Test
    void byteOperationsReturnTheOwnMessage() {
        LocalCommunicator c = new LocalCommunicator();
        byte[] m = {1, 2, 3};
        assertArrayEquals(m, c.gatherBytes(m, 0, 8)[0]);
        assertArrayEquals(m, c.broadcastBytes(m, 0, 8));
        Gathered g = c.allgatherBytes(m, 8);
        assertEquals(Gathered.Status.OK, g.status(0));
        assertArrayEquals(m, g.message(0));
        c.send(0, m);
        assertArrayEquals(m, c.recv(0, 3));
        assertThrows(IllegalArgumentException.class, () -> c.send(1, m));
    }

    @Test
    void aMessageToItselfOverTheCapIsRejected() {
        LocalCommunicator c = new LocalCommunicator();
        c.send(0, new byte[9]);
        c.send(0, new byte[2]);
        assertThrows(MessageRejectedException.class, () -> c.recv(0, 8));
        assertEquals(2, c.recv(0, 8).length);
        assertThrows(CommTimeoutException.class, () -> c.recv(0, 8));
    }
}
