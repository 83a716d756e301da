package dev.tributary.server.tls;

/** The TLS material in the data directory cannot be used as it is; the message says what to do. */
public class TlsSetupException extends RuntimeException {
    public TlsSetupException(String message) {
        super(message);
    }

    public TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
