package dev.tributary.server.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionProfileTest {
    @TempDir
    Path dir;

    @Test
    void writesOwnerOnlyAndReadsBack() throws Exception {
        Path file = dir.resolve("client.properties");
        ConnectionProfile written = new ConnectionProfile("https://localhost:9443", dir.resolve("tls/ca.pem"));
        written.writeTo(file);

        assertEquals(written, ConnectionProfile.read(file));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
        // Plain key=value lines that a shell script can grep, no escaped colons.
        assertEquals(1, Files.readAllLines(file).stream().filter(l -> l.equals("tributary.endpoint=https://localhost:9443")).count());
    }

    @Test
    void rewritingReplacesTheFileAndLeavesNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("client.properties");
        new ConnectionProfile("https://localhost:1", dir.resolve("a.pem")).writeTo(file);
        new ConnectionProfile("https://localhost:2", dir.resolve("b.pem")).writeTo(file);

        assertEquals("https://localhost:2", ConnectionProfile.read(file).endpoint());
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void backslashesInPathsSurvive() throws Exception {
        Path file = dir.resolve("client.properties");
        ConnectionProfile written = new ConnectionProfile("https://localhost:9443", Path.of("/odd\\dir/ca.pem"));
        written.writeTo(file);
        assertEquals(written.caFile(), ConnectionProfile.read(file).caFile());
    }

    @Test
    void endpointHostIsLocalhostForLoopbackAndWildcardBinds() {
        assertEquals("localhost", StartupAnnouncer.endpointHost("0.0.0.0"));
        assertEquals("localhost", StartupAnnouncer.endpointHost("127.0.0.1"));
        assertEquals("localhost", StartupAnnouncer.endpointHost("::"));
        assertEquals("10.1.2.3", StartupAnnouncer.endpointHost("10.1.2.3"));
        assertEquals("[fd00::1]", StartupAnnouncer.endpointHost("fd00::1"));
    }
}
