package dev.tributary.server;

import dev.tributary.server.startup.ServerPreparation;
import dev.tributary.server.tls.TlsSetupException;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * Entry point of the server. The TLS files must exist before Quarkus reads its configuration
 * (the HTTPS listener refuses to start without them), so they are prepared here and handed to
 * Quarkus as system properties, which outrank application.properties.
 */
@QuarkusMain
public final class TributaryMain {
    private TributaryMain() {}

    public static void main(String... args) {
        ServerPreparation.Prepared prepared;
        try {
            prepared = ServerPreparation.prepare(ServerPreparation.configuredDataDir(), Clock.systemUTC());
        } catch (TlsSetupException | UncheckedIOException e) {
            // A precise, actionable message; the stack trace would only hide it.
            System.err.println("tributary: cannot prepare the data directory: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Quarkus logging is not configured yet; this line precedes its log.
        System.out.println("tributary: TLS: " + prepared.tls().summary());
        prepared.quarkusProperties().forEach(System::setProperty);
        Quarkus.run(args);
    }
}
