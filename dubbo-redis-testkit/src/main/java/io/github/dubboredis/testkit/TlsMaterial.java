package io.github.dubboredis.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made at test time with the JDK's keytool (nothing to install): a CA, a server certificate
 * for 127.0.0.1 signed by it, a client certificate signed by it, and an unrelated second CA, as the PEM
 * files Redis and the registry read.
 */
public final class TlsMaterial {

    private static final String PASSWORD = "changeit";

    private final Path dir;

    private TlsMaterial(Path dir) {
        this.dir = dir;
    }

    public static TlsMaterial generate() {
        try {
            Path dir = Files.createTempDirectory("tls-");
            TlsMaterial m = new TlsMaterial(dir);
            m.keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Test CA",
                    "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
            m.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
            m.keytool("-genkeypair", "-alias", "other", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Other CA",
                    "-ext", "bc:c", "-validity", "2", "-keystore", "other.p12");
            m.keytool("-exportcert", "-rfc", "-alias", "other", "-keystore", "other.p12", "-file", "other-ca.pem");
            m.signed("server", "CN=127.0.0.1", "SAN=IP:127.0.0.1,DNS:localhost");
            m.signed("client", "CN=registry-client", null);
            return m;
        } catch (IOException e) {
            throw new IllegalStateException("cannot make TLS material", e);
        }
    }

    private void signed(String name, String dname, String san) throws IOException {
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", dname, "-validity", "2",
                "-keystore", name + ".p12");
        keytool("-certreq", "-alias", name, "-keystore", name + ".p12", "-file", name + ".csr");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile",
                name + ".csr", "-outfile", name + ".pem", "-rfc", "-validity", "2"));
        if (san != null) {
            gencert.add("-ext");
            gencert.add(san);
        }
        keytool(gencert.toArray(String[]::new));
        // Put the CA-signed certificate (after the CA) back beside the key, for a key manager of our own.
        keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", name + ".p12");
        keytool("-importcert", "-alias", name, "-file", name + ".pem", "-keystore", name + ".p12");
        writeKeyPem(name + ".p12", name, name + ".key");
    }

    private void writeKeyPem(String store, String alias, String target) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve(store))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            PrivateKey key = (PrivateKey) ks.getKey(alias, PASSWORD.toCharArray());
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(dir.resolve(target), pem);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", PASSWORD, "-keypass", PASSWORD, "-storetype", "PKCS12", "-noprompt"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    public Path otherCaPem() {
        return dir.resolve("other-ca.pem");
    }

    public Path serverCertPem() {
        return dir.resolve("server.pem");
    }

    public Path serverKeyPem() {
        return dir.resolve("server.key");
    }

    public Path clientCertPem() {
        return dir.resolve("client.pem");
    }

    public Path clientKeyPem() {
        return dir.resolve("client.key");
    }

    /** A context that trusts this CA and presents the client certificate, for the test's own client. */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(caPem()); InputStream clientStore = Files.newInputStream(dir.resolve("client.p12"))) {
            X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(clientStore, PASSWORD.toCharArray());
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
