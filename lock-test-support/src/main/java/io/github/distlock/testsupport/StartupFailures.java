package io.github.distlock.testsupport;

import io.github.distlock.api.InvalidLockConfigurationException;

import static org.assertj.core.api.Assertions.assertThat;

/** Finds why a context failed to start. */
public final class StartupFailures {

    private StartupFailures() {
    }

    /** The {@link InvalidLockConfigurationException} in the cause chain of {@code startupFailure}; fails if none. */
    public static InvalidLockConfigurationException invalidConfiguration(Throwable startupFailure) {
        Throwable failure = startupFailure;
        while (failure != null && !(failure instanceof InvalidLockConfigurationException)) {
            failure = failure.getCause();
        }
        assertThat(failure).as("cause of %s", startupFailure).isNotNull();
        return (InvalidLockConfigurationException) failure;
    }
}
