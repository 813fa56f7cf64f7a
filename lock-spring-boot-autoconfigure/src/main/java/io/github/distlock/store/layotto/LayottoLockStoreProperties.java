package io.github.distlock.store.layotto;

import java.time.Duration;

/** Settings of a lock store of type layotto, under {@code distributed-lock.stores.<name>.layotto}. */
public class LayottoLockStoreProperties {

    /** Layotto's port, where its sidecar and this project's gRPC Lock API server listen by default. */
    public static final int DEFAULT_PORT = 34904;

    /**
     * The sidecar's gRPC address, host:port ([::1]:34904 for an IPv6 literal; the port defaults to 34904). Without
     * ssl-bundle only a loopback address (localhost, 127.x.x.x, ::1) is accepted, unless plaintext-allowed is set.
     */
    private String address = "127.0.0.1:" + DEFAULT_PORT;

    /**
     * The store_name sent to the sidecar: the name of the lock store in the sidecar's own configuration (Layotto's
     * lock section, or distributed-lock.stores.<name> of a distlock sidecar). Empty: the sidecar's default store,
     * which a distlock sidecar has and Layotto does not.
     */
    private String storeName = "";

    /**
     * How long one call to the sidecar may take, connecting included; then it fails with a LockStoreException
     * (DEADLINE_EXCEEDED). The sidecar's own store call must fit in it.
     */
    private Duration deadline = Duration.ofSeconds(3);

    /**
     * Name of the Spring Boot SSL bundle (spring.ssl.bundle.*) with the trust material for the sidecar's
     * certificate, and a client key and certificate if the sidecar asks for one. Set: TLS. Not set: plaintext.
     */
    private String sslBundle;

    /**
     * The host name the sidecar's TLS certificate is checked against, when it is not the host of address (a
     * certificate issued to the sidecar's service name, reached through an IP address, say).
     */
    private String authority;

    /**
     * Whether plaintext is accepted to a sidecar that is not on loopback. Lock owners and resource ids then cross
     * the network unencrypted and unauthenticated; use it only on a network you trust, and prefer ssl-bundle.
     */
    private boolean plaintextAllowed = false;

    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }

    public String getStoreName() {
        return storeName;
    }

    public void setStoreName(String storeName) {
        this.storeName = storeName;
    }

    public Duration getDeadline() {
        return deadline;
    }

    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    public String getSslBundle() {
        return sslBundle;
    }

    public void setSslBundle(String sslBundle) {
        this.sslBundle = sslBundle;
    }

    public String getAuthority() {
        return authority;
    }

    public void setAuthority(String authority) {
        this.authority = authority;
    }

    public boolean isPlaintextAllowed() {
        return plaintextAllowed;
    }

    public void setPlaintextAllowed(boolean plaintextAllowed) {
        this.plaintextAllowed = plaintextAllowed;
    }
}
