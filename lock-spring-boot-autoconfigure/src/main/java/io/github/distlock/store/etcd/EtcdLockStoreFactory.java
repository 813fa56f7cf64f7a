package io.github.distlock.store.etcd;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * Store type {@code etcd}: {@link EtcdLockStore}s. A store with {@code endpoints} gets its own jetcd client, closed
 * with the store; a store without uses the application's {@link Client} bean, which it leaves open.
 */
public class EtcdLockStoreFactory implements LockStoreFactory<EtcdLockStoreProperties> {

    /** The type id, as written in {@code distributed-lock.stores.<name>.type}. */
    public static final String TYPE = "etcd";

    private final ObjectProvider<Client> clientBean;
    private final ObjectProvider<SslBundles> sslBundles;
    /** Where each store built here connects, for {@link #describe}; stores are compared by identity. */
    private final Map<LockStore, String> addresses = new ConcurrentHashMap<>();

    public EtcdLockStoreFactory(ObjectProvider<Client> clientBean, ObjectProvider<SslBundles> sslBundles) {
        this.clientBean = clientBean;
        this.sslBundles = sslBundles;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<EtcdLockStoreProperties> propertiesType() {
        return EtcdLockStoreProperties.class;
    }

    @Override
    public boolean clientAvailable() {
        return clientBean.getIfUnique() != null;
    }

    @Override
    public LockStore create(LockStoreDefinition<EtcdLockStoreProperties> definition) {
        EtcdLockStoreProperties etcd = definition.properties();
        String prefix = definition.propertiesPrefix();
        String namespace = etcd.getNamespace();
        if (namespace == null || namespace.isEmpty()) {
            throw new InvalidLockConfigurationException(prefix + ".namespace", "The key namespace is empty.",
                    "Set it to a prefix that no other data in the cluster uses, e.g. /distlock/ (the default).");
        }
        Duration requestTimeout = positive(etcd.getRequestTimeout(), prefix + ".request-timeout");
        if (etcd.getEndpoints() == null || etcd.getEndpoints().isEmpty()) {
            Client client = clientBean.getIfUnique();
            if (client == null) {
                throw new InvalidLockConfigurationException(prefix + ".endpoints",
                        "No etcd endpoints are set and the application has no single io.etcd.jetcd.Client bean.",
                        "Set it to the client URLs of the cluster, e.g. http://127.0.0.1:2379, or define a Client "
                                + "bean.");
            }
            return remember(new EtcdLockStore(client, namespace, requestTimeout, false),
                    "the application's Client bean");
        }
        return remember(new EtcdLockStore(newClient(etcd, prefix, sslBundles.getIfAvailable()), namespace,
                requestTimeout, true), String.join(",", etcd.getEndpoints()));
    }

    /** {@code address} (the endpoints), {@code namespace}, {@code requestTimeout}. */
    @Override
    public Map<String, Object> describe(LockStore store) {
        EtcdLockStore etcd = (EtcdLockStore) store;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(ADDRESS, addresses.getOrDefault(store, "?"));
        details.put("namespace", etcd.namespace());
        details.put("requestTimeout", etcd.requestTimeout());
        return details;
    }

    /** A linearizable read (which needs a leader), within the store's request timeout. */
    @Override
    public void checkConnection(LockStore store, Duration maxWait) {
        ((EtcdLockStore) store).checkReachable();
    }

    private EtcdLockStore remember(EtcdLockStore store, String address) {
        addresses.put(store, address);
        return store;
    }

    /**
     * A jetcd client from {@code etcd}'s connection settings.
     *
     * @param prefix     the properties' prefix, to name the one at fault
     * @param sslBundles the application's SSL bundles; needed only with {@code ssl-bundle}
     * @throws InvalidLockConfigurationException naming the property at fault
     */
    public static Client newClient(EtcdLockStoreProperties etcd, String prefix, SslBundles sslBundles) {
        boolean tls = etcd.getSslBundle() != null && !etcd.getSslBundle().isBlank();
        Duration requestTimeout = positive(etcd.getRequestTimeout(), prefix + ".request-timeout");
        ClientBuilder builder = Client.builder()
                .endpoints(endpoints(etcd.getEndpoints(), tls, prefix + ".endpoints"))
                .connectTimeout(positive(etcd.getConnectTimeout(), prefix + ".connect-timeout"))
                // jetcd retries unavailable members on its own; never for longer than a request may take.
                .retryMaxDuration(requestTimeout);
        boolean hasUser = etcd.getUsername() != null && !etcd.getUsername().isEmpty();
        boolean hasPassword = etcd.getPassword() != null && !etcd.getPassword().isEmpty();
        if (hasUser != hasPassword) {
            throw new InvalidLockConfigurationException(prefix + (hasUser ? ".password" : ".username"),
                    "Only one of username and password is set.", "Set both, or neither for no authentication.");
        }
        if (hasUser) {
            builder.user(ByteSequence.from(etcd.getUsername(), StandardCharsets.UTF_8))
                    .password(ByteSequence.from(etcd.getPassword(), StandardCharsets.UTF_8));
        }
        if (tls) {
            configureTls(builder, etcd.getSslBundle(), sslBundles, prefix + ".ssl-bundle");
        }
        return builder.build();
    }

    private static void configureTls(ClientBuilder builder, String bundleName, SslBundles sslBundles,
            String property) {
        if (sslBundles == null) {
            throw new InvalidLockConfigurationException(property, "SSL bundle '" + bundleName
                    + "' is set but the application has no SslBundles.", "Define it under spring.ssl.bundle.");
        }
        SslBundle bundle;
        try {
            bundle = sslBundles.getBundle(bundleName);
        } catch (NoSuchSslBundleException e) {
            throw new InvalidLockConfigurationException(property, "There is no SSL bundle '" + bundleName + "'.",
                    "Define it under spring.ssl.bundle.pem." + bundleName + " (or .jks), or fix the name; known: "
                            + sslBundles.getBundleNames() + ".");
        }
        try {
            builder.sslContext(ssl -> {
                ssl.trustManager(bundle.getManagers().getTrustManagerFactory());
                if (bundle.getStores() != null && bundle.getStores().getKeyStore() != null) {
                    ssl.keyManager(bundle.getManagers().getKeyManagerFactory());
                }
                SslOptions options = bundle.getOptions();
                if (options != null && options.getEnabledProtocols() != null) {
                    ssl.protocols(options.getEnabledProtocols());
                }
                if (options != null && options.getCiphers() != null) {
                    ssl.ciphers(List.of(options.getCiphers()));
                }
            });
        } catch (SSLException | RuntimeException e) {
            throw new InvalidLockConfigurationException(property, "SSL bundle '" + bundleName
                    + "' cannot make a TLS client context: " + e.getMessage(), "Check the bundle's certificates.");
        }
    }

    private static List<URI> endpoints(List<String> endpoints, boolean tls, String property) {
        List<URI> uris = new ArrayList<>();
        String scheme = tls ? "https" : "http";
        for (String endpoint : endpoints) {
            URI uri;
            try {
                uri = new URI(endpoint == null ? "" : endpoint.trim());
            } catch (URISyntaxException e) {
                uri = null;
            }
            if (uri == null || !scheme.equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new InvalidLockConfigurationException(property, "'" + endpoint
                        + "' is not an etcd client URL of the form " + scheme + "://host:port" + (tls
                                ? " (TLS is on through ssl-bundle)." : " (https:// needs ssl-bundle)."),
                        "Write each endpoint as e.g. " + scheme + "://127.0.0.1:2379.");
            }
            uris.add(uri);
        }
        return uris;
    }

    private static Duration positive(Duration value, String property) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidLockConfigurationException(property, "'" + value + "' is not a positive duration.",
                    "Set it to e.g. 5s.");
        }
        return value;
    }
}
