package dopt.experiments;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An experiment's report: Markdown ({@code report.md}) with a header naming the machine, the date,
 * the command that reproduces it and the run's wall time, then the sections, tables and plots the experiment adds, in
 * order. Tables are also written as CSV so that numbers can be re-plotted without parsing
 * Markdown. Numbers are formatted with {@link #fmt} so that reports read alike.
 */
public final class Report {
    private final String experiment;
    private final Path dir;
    private final String command;
    private final List<String> body = new ArrayList<>();
    /** When the run began: reports state their wall time, so a rerun can be planned from them. */
    private final long startNanos = System.nanoTime();

    public Report(String experiment, Path dir, String command) {
        this.experiment = experiment;
        this.dir = dir;
        this.command = command;
    }

    /** Wall time since this report was made (the start of the run), e.g. {@code 7 min 15 s}. */
    public String elapsed() {
        long s = Math.round((System.nanoTime() - startNanos) / 1e9);
        return s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s";
    }

    public String experiment() { return experiment; }

    public Path dir() { return dir; }

    public Report heading(String text) {
        body.add("## " + text);
        return this;
    }

    public Report paragraph(String text) {
        body.add(text);
        return this;
    }

    /** A Markdown table, also written to {@code csvName} (a file name in the report folder). */
    public Report table(String csvName, List<String> header, List<List<Object>> rows) throws IOException {
        StringBuilder md = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
        md.append("---|".repeat(header.size()));
        StringBuilder csv = new StringBuilder(String.join(",", header)).append('\n');
        for (List<Object> row : rows) {
            if (row.size() != header.size()) throw new IllegalArgumentException("row " + row + " has " + row.size() + " cells, header " + header.size());
            md.append("\n|");
            List<String> cells = new ArrayList<>();
            for (Object c : row) {
                String s = c instanceof Double || c instanceof Float ? fmt(((Number) c).doubleValue()) : String.valueOf(c);
                md.append(' ').append(s).append(" |");
                cells.add(s.contains(",") ? '"' + s + '"' : s);
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        body.add(md.toString());
        writeAtomically(dir.resolve(csvName), csv.toString());
        return this;
    }

    /** Saves the plot as {@code pngName} in the report folder and shows it in the report. */
    public Report plot(String pngName, LinePlot plot, String caption) throws IOException {
        Files.createDirectories(dir);
        plot.save(dir.resolve(pngName));
        body.add("![" + caption + "](" + pngName + ")\n\n*" + caption + "*");
        return this;
    }

    /** Four significant digits, scientific outside [1e-3, 1e5); "diverged" for non-finite values. */
    public static String fmt(double v) {
        if (!Double.isFinite(v)) return Double.isNaN(v) ? "n/a" : "diverged";
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return String.format(Locale.ROOT, "%.3e", v);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /** Writes {@code report.md}; returns its path. */
    public Path write() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(experiment).append("\n\n");
        md.append("- date: ").append(LocalDate.now()).append('\n');
        md.append("- machine: ").append(machine()).append('\n');
        md.append("- command: `").append(command).append("`\n");
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        md.append("- wall time: ").append(elapsed())
                .append(load < 0 ? "" : String.format(Locale.ROOT, " (load average %.1f at the end: other work on the machine slows a run)", load))
                .append("\n\n");
        for (String part : body) md.append(part).append("\n\n");
        Path file = dir.resolve("report.md");
        writeAtomically(file, md.toString());
        return file;
    }

    static String machine() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return host + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB max heap, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version");
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
