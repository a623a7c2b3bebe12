package io.saliencystream.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed server certificate for loopback ({@code localhost}, {@code 127.0.0.1}), made by the
 * JDK's {@code keytool} when a test starts: a PKCS12 key store for servers (broker, registry) and a
 * PKCS12 trust store holding the certificate for clients. {@link #clientCertificate} makes client
 * certificates for servers that require them ({@link #serverContextTrusting}).
 */
public record TestCertificates(Path keystore, Path truststore, String password) {

    /** Generates the stores in {@code dir}, protected by {@code password}. */
    public static TestCertificates generate(Path dir, String password) {
        Path keystore = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.pem");
        Path truststore = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", password,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(), "-storetype",
                "PKCS12", "-keystore", truststore.toString(), "-storepass", password);
        return new TestCertificates(keystore, truststore, password);
    }

    /** A server-side TLS context with the key store's certificate. */
    public SSLContext serverContext() {
        return serverContextTrusting();
    }

    /**
     * A server-side TLS context with the key store's certificate that trusts the client
     * certificates in {@code clientKeystores} (made by {@link #clientCertificate}) and no other.
     */
    public SSLContext serverContextTrusting(Path... clientKeystores) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(keystore), password.toCharArray());
            TrustManagerFactory trust = null;
            if (clientKeystores.length > 0) {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                for (Path client : clientKeystores) {
                    KeyStore store = load(client);
                    String alias = store.aliases().nextElement();
                    trusted.setCertificateEntry(client.getFileName().toString(), store.getCertificate(alias));
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trusted);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot load the test key stores", e);
        }
    }

    /**
     * A self-signed client certificate {@code CN=name} with its key, in a PKCS12 key store
     * {@code name.p12} next to the server's, protected by the same password.
     */
    public Path clientCertificate(String name) {
        Path store = keystore.resolveSibling(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + name, "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", password, "-keypass", password);
        return store;
    }

    private KeyStore load(Path path) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return store;
        }
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running keytool", e);
        }
    }
}
