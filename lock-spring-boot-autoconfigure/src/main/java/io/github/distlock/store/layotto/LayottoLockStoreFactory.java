package io.github.distlock.store.layotto;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ManagedChannelRegistry;
import io.grpc.TlsChannelCredentials;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Store type {@code layotto}: {@link LayottoLockStore}s, each with a gRPC channel of its own to its sidecar, closed
 * with the store. Checks the settings, then the sidecar ({@link LayottoLockStore#verify()}): a store name the
 * sidecar refuses stops startup; a sidecar that is not reachable yet (it may be starting beside the application)
 * does not, and is checked again at first use.
 */
public class LayottoLockStoreFactory implements LockStoreFactory<LayottoLockStoreProperties> {

    /** The type id, as written in {@code distributed-lock.stores.<name>.type}. */
    public static final String TYPE = "layotto";

    private static final Log logger = LogFactory.getLog(LayottoLockStoreFactory.class);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final ObjectProvider<SslBundles> sslBundles;

    public LayottoLockStoreFactory(ObjectProvider<SslBundles> sslBundles) {
        this.sslBundles = sslBundles;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<LayottoLockStoreProperties> propertiesType() {
        return LayottoLockStoreProperties.class;
    }

    /**
     * {@code address} (the sidecar's) and {@code keepAlive}: whether the sidecar implements LockKeepAlive
     * ({@code IMPLEMENTED}, {@code NOT_IMPLEMENTED}: locks are not renewed, or {@code UNKNOWN} before the first check).
     */
    @Override
    public Map<String, Object> describe(LockStore store) {
        LayottoLockStore layotto = (LayottoLockStore) store;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(ADDRESS, layotto.address());
        details.put("keepAlive", layotto.keepAliveSupport().name());
        return details;
    }

    /** An Unlock of a key nobody holds, answered by the sidecar within the store's deadline. */
    @Override
    public void checkConnection(LockStore store, Duration maxWait) {
        ((LayottoLockStore) store).checkReachable();
    }

    @Override
    public LockStore create(LockStoreDefinition<LayottoLockStoreProperties> definition) {
        LayottoLockStoreProperties settings = definition.properties();
        Duration deadline = settings.getDeadline();
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new InvalidLockConfigurationException(definition.property("deadline"), "'" + deadline
                    + "' is not a positive duration.", "Set it to e.g. 3s.");
        }
        String[] hostAndPort = hostAndPort(settings.getAddress(), definition.property("address"));
        String address = settings.getAddress().trim();
        ChannelCredentials credentials = credentials(settings, hostAndPort[0], definition);
        ManagedChannel channel = channel(hostAndPort, credentials, settings.getAuthority(), definition);
        String sidecarStoreName = settings.getStoreName() == null ? "" : settings.getStoreName();
        LayottoLockStore store = new LayottoLockStore(channel, new Sidecar(definition.storeName(), address,
                sidecarStoreName, deadline, definition.propertiesPrefix()));
        try {
            store.verify();
        } catch (LockStoreException e) {
            logger.info("Lock store '" + definition.storeName() + "': the sidecar at " + address + " is not "
                    + "reachable yet; its calls fail until it is, and whether it implements LockKeepAlive is found "
                    + "out at first use (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static ManagedChannel channel(String[] hostAndPort, ChannelCredentials credentials, String authority,
            LockStoreDefinition<?> definition) {
        ManagedChannelBuilder<?> builder;
        try {
            builder = Grpc.newChannelBuilderForAddress(hostAndPort[0], Integer.parseInt(hostAndPort[1]),
                    credentials);
        } catch (ManagedChannelRegistry.ProviderNotFoundException e) {
            throw new InvalidLockConfigurationException(definition.typeProperty(), "Store type '" + TYPE
                    + "' needs a gRPC transport, and none on the classpath can make this channel (" + e.getMessage()
                    + ").", "Add io.grpc:grpc-netty (or grpc-netty-shaded) to the application's dependencies.");
        }
        if (authority != null && !authority.isBlank()) {
            builder.overrideAuthority(authority.trim());
        }
        return builder.userAgent("distlock").build();
    }

    private ChannelCredentials credentials(LayottoLockStoreProperties settings, String host,
            LockStoreDefinition<?> definition) {
        String bundleName = settings.getSslBundle();
        if (bundleName == null || bundleName.isBlank()) {
            requirePlaintextAllowed(settings, host, definition);
            return InsecureChannelCredentials.create();
        }
        String property = definition.property("ssl-bundle");
        SslBundles bundles = sslBundles.getIfAvailable();
        if (bundles == null) {
            throw new InvalidLockConfigurationException(property, "SSL bundle '" + bundleName
                    + "' is set but the application has no SslBundles.", "Define it under spring.ssl.bundle.");
        }
        SslBundle bundle;
        try {
            bundle = bundles.getBundle(bundleName);
        } catch (NoSuchSslBundleException e) {
            throw new InvalidLockConfigurationException(property, "There is no SSL bundle '" + bundleName + "'.",
                    "Define it under spring.ssl.bundle.pem." + bundleName + " (or .jks), or fix the name; known: "
                            + bundles.getBundleNames() + ".");
        }
        if (bundle.getOptions() != null && (bundle.getOptions().getCiphers() != null
                || bundle.getOptions().getEnabledProtocols() != null)) {
            logger.warn(property + ": the ciphers and enabled-protocols options of SSL bundle '" + bundleName
                    + "' are not applied to the sidecar connection; gRPC's defaults are used");
        }
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder()
                .trustManager(bundle.getManagers().getTrustManagers());
        if (bundle.getStores() != null && bundle.getStores().getKeyStore() != null) {
            tls.keyManager(bundle.getManagers().getKeyManagers());
        }
        return tls.build();
    }

    /**
     * Plaintext (no {@code ssl-bundle}) only to a loopback {@code host}, or with {@code plaintext-allowed}.
     *
     * @throws InvalidLockConfigurationException naming {@code address}, {@code ssl-bundle} and
     *                                           {@code plaintext-allowed}
     */
    static void requirePlaintextAllowed(LayottoLockStoreProperties settings, String host,
            LockStoreDefinition<?> definition) {
        if (settings.isPlaintextAllowed() || isLoopback(host)) {
            return;
        }
        throw new InvalidLockConfigurationException(definition.property("address"), "'" + settings.getAddress()
                + "' is not a loopback address, and without " + definition.property("ssl-bundle") + " the "
                + "connection would be plaintext: lock owners and resource ids would cross the network unencrypted, "
                + "to a sidecar nobody authenticated.", "Set " + definition.property("ssl-bundle") + " to a Spring "
                        + "Boot SSL bundle that trusts the sidecar's certificate, or set "
                        + definition.property("plaintext-allowed") + "=true on a network you trust.");
    }

    /**
     * {@code host} and {@code port} of {@code address}: {@code host:port}, {@code [v6]:port}, or a host alone for
     * Layotto's port.
     */
    static String[] hostAndPort(String address, String property) {
        String text = address == null ? "" : address.trim();
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            host = end < 0 ? "" : text.substring(1, end);
            String rest = end < 0 ? "x" : text.substring(end + 1);
            if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else if (!rest.isEmpty()) {
                host = "";
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        } else {
            host = text; // a host name, or an IPv6 literal without a port
        }
        int portNumber = LayottoLockStoreProperties.DEFAULT_PORT;
        if (port != null) {
            try {
                portNumber = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                portNumber = -1;
            }
        }
        if (host.isBlank() || portNumber < 1 || portNumber > 65535) {
            throw new InvalidLockConfigurationException(property, "'" + address + "' is not a sidecar address of "
                    + "the form host:port.", "Set it to e.g. 127.0.0.1:" + LayottoLockStoreProperties.DEFAULT_PORT
                            + " ([::1]:" + LayottoLockStoreProperties.DEFAULT_PORT + " for IPv6).");
        }
        return new String[] {host, Integer.toString(portNumber)};
    }

    /**
     * Whether {@code host} is {@code localhost} or a loopback literal (127.0.0.0/8, ::1). Other names are not
     * resolved: what a name points to may change after startup.
     */
    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!IPV4.matcher(host).matches() && host.indexOf(':') < 0) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress(); // a literal: no name lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
