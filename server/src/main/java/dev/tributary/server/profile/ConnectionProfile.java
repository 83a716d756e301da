package dev.tributary.server.profile;

import dev.tributary.server.files.PrivateFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What a client needs to connect: {@code DATA_DIR/client.properties}, read by the SDK, the CLI and
 * the Terraform provider ({@code --profile FILE} / {@code TRIBUTARY_PROFILE}). Owner-only from the
 * start because later versions add credentials to it.
 *
 * @param endpoint {@code https://host:port} of the REST + gRPC listener
 * @param caFile absolute path of the CA certificate that signed the server certificate
 */
public record ConnectionProfile(String endpoint, Path caFile) {
    public static final String FILE_NAME = "client.properties";
    public static final String ENDPOINT = "tributary.endpoint";
    public static final String CA_FILE = "tributary.tls.ca-file";

    public Properties toProperties() {
        Properties props = new Properties();
        props.setProperty(ENDPOINT, endpoint);
        props.setProperty(CA_FILE, caFile.toAbsolutePath().toString());
        return props;
    }

    /** Replaces {@code file} atomically (temporary file + rename), mode 600. */
    public void writeTo(Path file) {
        StringWriter text = new StringWriter();
        text.write("# Tributary connection profile, written by the server on every start.\n");
        text.write("# Use it with --profile " + file.toAbsolutePath() + " or TRIBUTARY_PROFILE.\n");
        // Properties.store would escape ':' in the values and add a timestamp: write the lines directly.
        for (String key : new String[] {ENDPOINT, CA_FILE}) {
            text.write(key + "=" + escape(toProperties().getProperty(key)) + "\n");
        }
        PrivateFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8), true);
    }

    public static ConnectionProfile read(Path file) {
        Properties props = new Properties();
        try (var reader = java.nio.file.Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new ConnectionProfile(props.getProperty(ENDPOINT), Path.of(props.getProperty(CA_FILE)));
    }

    /** Escapes what java.util.Properties treats specially in a value (backslashes, e.g. Windows paths). */
    private static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (i == 0 && (c == ' ' || c == '\t')) {
                        out.append('\\');
                    }
                    out.append(c);
                }
            }
        }
        return out.toString();
    }
}
