package io.saliencystream.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** The TLS context of an {@code https} registry from the {@code schema.registry.ssl.*} stores. */
final class RegistryTls {

    private RegistryTls() {
    }

    static SSLContext context(RegistrySettings.TlsStores tls) {
        try {
            TrustManagerFactory trust = null;
            if (tls.truststore().isPresent()) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(RegistrySettings.TRUSTSTORE_LOCATION, tls.truststore().get(), tls.truststoreType(),
                        tls.truststorePassword()));
            }
            KeyManagerFactory keys = null;
            if (tls.keystore().isPresent()) {
                KeyStore store = load(RegistrySettings.KEYSTORE_LOCATION, tls.keystore().get(), tls.keystoreType(),
                        tls.keystorePassword());
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                Optional<Password> keyPassword = tls.keyPassword().or(tls::keystorePassword);
                try {
                    keys.init(store, chars(keyPassword));
                } catch (UnrecoverableKeyException e) {
                    throw new ConfigException(RegistrySettings.KEY_PASSWORD, keyPassword.orElse(null),
                            "cannot recover the key in " + tls.keystore().get() + " with it (without "
                                    + RegistrySettings.KEY_PASSWORD + ", the key store's password is used)");
                }
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot set up TLS to the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(String setting, String location, String type, Optional<Password> password) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, chars(password));
            return store;
        } catch (NoSuchFileException e) {
            throw new ConfigException(setting, location, "no such file");
        } catch (IOException | GeneralSecurityException e) {
            // a wrong password shows as an IOException whose cause is UnrecoverableKeyException
            throw new ConfigException(setting, location, "cannot read it as a " + type + " store: " + e.getMessage());
        }
    }

    private static char[] chars(Optional<Password> password) {
        return password.map(p -> p.value().toCharArray()).orElse(null);
    }
}
