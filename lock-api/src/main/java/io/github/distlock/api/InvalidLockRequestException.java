package io.github.distlock.api;

/** A Lock API request with a missing or invalid field; the message and {@link #getField()} name the field. */
public class InvalidLockRequestException extends IllegalArgumentException {

    private final String field;

    public InvalidLockRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request field at fault, as named in the seed: {@code store_name}, {@code resource_id}, ... */
    public String getField() {
        return field;
    }
}
