package io.github.distlock.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the {@code locks} actuator endpoint ({@link LocksEndpoint}). */
@ConfigurationProperties("management.endpoint.locks")
public class LocksEndpointProperties {

    private final ForceRelease forceRelease = new ForceRelease();

    public ForceRelease getForceRelease() {
        return forceRelease;
    }

    public static class ForceRelease {

        /**
         * Whether DELETE /actuator/locks/{owner} may force-release a lock this instance holds (its holder is told it
         * lost the lock). Off: the endpoint is read-only.
         */
        private boolean enabled = false;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
