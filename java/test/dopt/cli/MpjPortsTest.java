package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MpjPortsTest {
    @TempDir Path dir;

    @Test
    void aFreeBaseHasThreeFreePortsInItsRange() throws Exception {
        int base = MpjPorts.pickFreeBase(12345);
        assertTrue(base >= MpjPorts.LOWEST && base + 2 <= MpjPorts.HIGHEST + 2, "base " + base);
        for (int p = base; p < base + 3; p++) assertTrue(MpjPorts.free(p), "port " + p);
    }

    @Test
    void aBaseWithATakenPortIsPassedOver() throws Exception {
        int base = MpjPorts.pickFreeBase(777);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(base + 2));
            assertFalse(MpjPorts.free(base + 2));
            assertNotEquals(base, MpjPorts.pickFreeBase(777), "someone listens on " + (base + 2));
        }
    }

    @Test
    void thePrivateHomeHoldsTheThreePortsAndTheSharedLibraries() throws Exception {
        Path home = MpjPorts.writeHome(DoptProcess.repo(), dir.resolve("mpj-home"), 23456);
        List<String> ports = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("conf/mpjexpress.conf")))
            if (line.matches("mpjexpress\\.(mpjrun|mpjdaemon)\\.port\\.\\d=.*")) ports.add(line);
        assertEquals(List.of("mpjexpress.mpjdaemon.port.1=23457", "mpjexpress.mpjdaemon.port.2=23458", "mpjexpress.mpjrun.port.1=23456"),
                ports.stream().sorted().toList());
        assertTrue(Files.exists(home.resolve("lib/starter.jar")));
    }
}
