package dev.tributary.cli;

import dev.tributary.client.ClientProfile;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --profile} and {@code --tenant}, mixed into every command that talks to the server. */
final class ConnectionOptions {
    @Option(names = "--profile", paramLabel = "FILE", description = "Connection profile (endpoint, CA, client credentials). "
            + "Default: $" + ClientProfile.PROFILE_ENV + ", else ./data/client.properties (written by bin/tributary standalone).")
    Path profile;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "Tenant to address. Default: the profile's "
            + ClientProfile.TENANT + ", else the tenant of the profile's service account.")
    String tenant;

    /** The profile to connect with; a missing or malformed one is a usage error (nothing was sent). */
    ClientProfile resolve() {
        return resolve(profile, tenant);
    }

    TributaryClient connect() {
        return connect(resolve());
    }

    /** The profile in {@code profile} (null: the default one), addressing {@code tenant} if not null. */
    static ClientProfile resolve(Path profile, String tenant) {
        try {
            ClientProfile resolved = ClientProfile.resolve(profile);
            return tenant == null ? resolved : resolved.withTenant(tenant);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CliFailure("INVALID_PROFILE", e.getMessage(), ExitCodes.USAGE);
        }
    }

    static TributaryClient connect(ClientProfile resolved) {
        try {
            return TributaryClient.connect(resolved);
        } catch (TributaryException e) {
            // Raised before any request: an unreadable CA file or missing credentials in the profile.
            throw new CliFailure("INVALID_PROFILE", TributaryCli.detail(e), ExitCodes.USAGE);
        }
    }
}
