package io.github.distlock.web;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** How lock failures reach web clients, under {@code distributed-lock.web}. */
@ConfigurationProperties(prefix = "distributed-lock.web")
public class DistributedLockWebProperties {

    /**
     * Whether a 409 problem detail names the lock's resource id and store (properties 'resourceId' and 'store').
     * Off by default: a resource id is built from request data (an order id, a user id) and need not reach the
     * client.
     */
    private boolean includeKey;

    private final ProblemDetails problemDetails = new ProblemDetails();

    public boolean isIncludeKey() {
        return includeKey;
    }

    public void setIncludeKey(boolean includeKey) {
        this.includeKey = includeKey;
    }

    public ProblemDetails getProblemDetails() {
        return problemDetails;
    }

    public static class ProblemDetails {

        /**
         * Whether LockNotAcquiredException answers 409 Conflict and LockStoreException 503 Service Unavailable, as
         * RFC 9457 problem details, in Spring MVC and WebFlux applications. Off: they reach the application's own
         * handlers or Spring Boot's error handling (500).
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
