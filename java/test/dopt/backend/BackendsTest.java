package dopt.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.tensor.Backend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/**
 * Backend selection everywhere, with or without a GPU: cpu is the CPU backend; auto is the GPU
 * when there is one, else the CPU with exactly one log line that says why; cuda without a GPU is
 * an error naming the cause.
 */
class BackendsTest {

    /** Log events of {@link Backends} while {@code body} runs. */
    private static List<String> logOf(Runnable body) {
        LoggerContext ctx = LoggerContext.getContext(false);
        Configuration config = ctx.getConfiguration();
        List<String> lines = new CopyOnWriteArrayList<>();
        AbstractAppender capture = new AbstractAppender("capture-backends", null, null, true, Property.EMPTY_ARRAY) {
            @Override public void append(LogEvent e) { lines.add(e.getLevel() + " " + e.getMessage().getFormattedMessage()); }
        };
        capture.start();
        LoggerConfig logger = new LoggerConfig(Backends.class.getName(), Level.INFO, false);
        logger.addAppender(capture, Level.INFO, null);
        config.addLogger(Backends.class.getName(), logger);
        ctx.updateLoggers();
        try {
            body.run();
        } finally {
            config.removeLogger(Backends.class.getName());
            ctx.updateLoggers();
            capture.stop();
        }
        return lines;
    }

    @Test
    void cpuIsTheCpuBackendAndLogsNothing() {
        List<String> log = logOf(() -> assertInstanceOf(CpuBackend.class, Backends.select("cpu", 3)));
        assertEquals(List.of(), log);
    }

    @Test
    void autoFallsBackToTheCpuWithOneLineSayingWhyWhenThereIsNoGpu() {
        String reason = Gpu.unavailableReason();
        Backend[] chosen = new Backend[1];
        List<String> log = logOf(() -> chosen[0] = Backends.select("auto", 0));
        try (Backend b = chosen[0]) {
            if (reason == null) {
                assertInstanceOf(CudaBackend.class, b);
                assertEquals(List.of(), log);
            } else {
                assertInstanceOf(CpuBackend.class, b);
                assertEquals(1, log.size(), "exactly one line: " + log);
                String line = log.get(0);
                assertTrue(line.startsWith("WARN backend auto: no usable CUDA GPU (") && line.endsWith("computing on the CPU"), line);
                assertTrue(line.contains(reason), line);
                assertTrue(!line.contains("\n"), "one line: " + line);
            }
        }
    }

    @Test
    void cudaWithoutAGpuIsAnErrorNamingTheCause() {
        String reason = Gpu.unavailableReason();
        if (reason == null) {
            try (Backend b = Backends.select("cuda", 5)) {
                assertTrue(b.name().startsWith("cuda:"), b.name());
            }
            return;
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.select("cuda", 0));
        assertTrue(e.getMessage().startsWith("backend 'cuda' is not available: "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        // the cause stays the telling one on a second attempt (JCuda's class is then merely "not initialised")
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> Backends.select("cuda", 1));
        assertEquals(e.getMessage(), again.getMessage());
    }

    @Test
    void unknownNamesListTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.select("gpu", 0));
        assertEquals("unknown backend 'gpu'; allowed: cpu, cuda, auto", e.getMessage());
    }

    @Test
    void onAGpuTheDeviceComesFromTheGpuChoice() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Gpu.unavailableReason() == null, "no usable CUDA GPU here");
        // device 64 is not among the visible ones: the choice reaches the device set-up and is refused there
        GpuChoice far = new GpuChoice(2, List.of(64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.select("cuda", 1, far));
        assertTrue(e.getMessage().contains("names device 64"), e.getMessage());
        try (Backend b = Backends.select("cuda", 3, new GpuChoice(2, List.of(0)))) {
            assertInstanceOf(CudaBackend.class, b);
        }
    }
}
