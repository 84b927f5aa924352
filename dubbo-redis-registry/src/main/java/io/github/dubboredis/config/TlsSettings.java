package io.github.dubboredis.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * TLS to Redis. Trust comes from a PEM CA file or a trust store (or the JVM's default trust);
 * an optional client certificate from PEM files or a key store. Store passwords are never printed.
 */
public final class TlsSettings {

    /** How much of the server's certificate is checked. */
    public enum Verify {
        /** Chain and host name (the default). */
        FULL,
        /** Chain only: for servers addressed by an IP that is not in their certificate. */
        CA,
        /** Nothing: encryption without authentication; for tests only. */
        NONE;

        static Verify fromSetting(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(SettingNames.TLS_VERIFY,
                        "unknown value '" + value + "'; use full (the default), ca or none");
            }
        }
    }

    public static final TlsSettings DISABLED = new TlsSettings(false, Verify.FULL, null, null, null, null, null, null, null);

    private final boolean enabled;
    private final Verify verify;
    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final Path trustStore;
    private final String trustStorePassword;
    private final Path keyStore;
    private final String keyStorePassword;

    public TlsSettings(boolean enabled, Verify verify, Path caFile, Path certFile, Path keyFile, Path trustStore,
            String trustStorePassword, Path keyStore, String keyStorePassword) {
        this.enabled = enabled;
        this.verify = verify;
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.trustStore = trustStore;
        this.trustStorePassword = trustStorePassword;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        if (!enabled) {
            return;
        }
        if (caFile != null && trustStore != null) {
            throw new InvalidSettingException(SettingNames.TLS_CA_FILE, "give either tls.ca-file or tls.truststore, not both");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new InvalidSettingException(certFile == null ? SettingNames.TLS_CERT_FILE : SettingNames.TLS_KEY_FILE,
                    "a client certificate needs both tls.cert-file and tls.key-file");
        }
        if (certFile != null && keyStore != null) {
            throw new InvalidSettingException(SettingNames.TLS_KEYSTORE, "give either tls.cert-file/tls.key-file or tls.keystore, not both");
        }
        requireReadable(caFile, SettingNames.TLS_CA_FILE);
        requireReadable(certFile, SettingNames.TLS_CERT_FILE);
        requireReadable(keyFile, SettingNames.TLS_KEY_FILE);
        requireReadable(trustStore, SettingNames.TLS_TRUSTSTORE);
        requireReadable(keyStore, SettingNames.TLS_KEYSTORE);
    }

    private static void requireReadable(Path file, String setting) {
        if (file != null && !java.nio.file.Files.isReadable(file)) {
            throw new InvalidSettingException(setting, "cannot read file " + file);
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public Verify verify() {
        return verify;
    }

    public Path caFile() {
        return caFile;
    }

    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    public Path trustStore() {
        return trustStore;
    }

    public String trustStorePassword() {
        return trustStorePassword;
    }

    public Path keyStore() {
        return keyStore;
    }

    public String keyStorePassword() {
        return keyStorePassword;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsSettings t
                && enabled == t.enabled
                && verify == t.verify
                && Objects.equals(caFile, t.caFile)
                && Objects.equals(certFile, t.certFile)
                && Objects.equals(keyFile, t.keyFile)
                && Objects.equals(trustStore, t.trustStore)
                && Objects.equals(trustStorePassword, t.trustStorePassword)
                && Objects.equals(keyStore, t.keyStore)
                && Objects.equals(keyStorePassword, t.keyStorePassword);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, verify, caFile, certFile, keyFile, trustStore, keyStore);
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "off";
        }
        StringBuilder s = new StringBuilder("on(verify=").append(verify.name().toLowerCase(Locale.ROOT));
        if (caFile != null) {
            s.append(", ca-file=").append(caFile);
        }
        if (trustStore != null) {
            s.append(", truststore=").append(trustStore);
        }
        if (certFile != null) {
            s.append(", cert-file=").append(certFile);
        }
        if (keyStore != null) {
            s.append(", keystore=").append(keyStore);
        }
        return s.append(')').toString();
    }
}
