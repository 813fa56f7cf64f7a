package io.github.distlock.autoconfigure;

import io.github.distlock.api.InvalidLockConfigurationException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints an {@link InvalidLockConfigurationException} as Spring Boot's "APPLICATION FAILED TO START" report. */
class InvalidLockConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidLockConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidLockConfigurationException cause) {
        return new FailureAnalysis("Invalid distributed-lock configuration at '" + cause.getProperty() + "': " + cause.getProblem(),
                cause.getAction(), cause);
    }
}
