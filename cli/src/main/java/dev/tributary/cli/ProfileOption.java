package dev.tributary.cli;

import dev.tributary.client.ClientProfile;
import dev.tributary.client.TributaryClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --profile} alone, for commands that address no tenant (tenants are managed by platform
 * administrators, whose profile {@code bin/tributary standalone} writes to
 * {@code DATA_DIR/platform-admin.properties}).
 */
final class ProfileOption {
    @Option(names = "--profile", paramLabel = "FILE", description = "Connection profile of a platform administrator, e.g. "
            + "data/platform-admin.properties (written by bin/tributary standalone). Default: $" + ClientProfile.PROFILE_ENV
            + ", else ./data/client.properties.")
    Path profile;

    TributaryClient connect() {
        return ConnectionOptions.connect(ConnectionOptions.resolve(profile, null));
    }
}
