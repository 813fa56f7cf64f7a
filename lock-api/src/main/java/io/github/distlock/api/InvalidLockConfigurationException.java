package io.github.distlock.api;

/**
 * The distributed-lock configuration is wrong; startup stops with the property at fault and how to fix it
 * (shown by the auto-configuration's failure analyzer).
 */
public class InvalidLockConfigurationException extends RuntimeException {

    private final String property;
    private final String problem;
    private final String action;

    /**
     * @param property the property (or annotated method) at fault
     * @param problem  what is wrong
     * @param action   how to fix it
     */
    public InvalidLockConfigurationException(String property, String problem, String action) {
        super(property + ": " + problem + " " + action);
        this.property = property;
        this.problem = problem;
        this.action = action;
    }

    public String getProperty() {
        return property;
    }

    public String getProblem() {
        return problem;
    }

    public String getAction() {
        return action;
    }
}
