package dopt.cli;

import java.net.InetAddress;

/** This host's name, as the launcher and its ranks compare it (a rank watches its launcher only on the same host). */
final class Hosts {
    private Hosts() { }

    static String name() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | SecurityException e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "unknown-host";
        }
    }
}
