package io.github.distlock.fencing;

/**
 * A write was refused because the resource has already seen a larger fencing token: the lock it was made under was
 * taken over since (its lease ran out while the holder was paused, say), and the new holder has written. The write
 * must not be retried with the same token; the work it belonged to lost its lock.
 */
public class StaleFencingTokenException extends RuntimeException {

    private final long token;
    private final long currentToken;

    /**
     * @param resource     what refused the write, for the message (e.g. {@code ledger id 42})
     * @param token        the token the write carried
     * @param currentToken the token the resource holds, larger than {@code token}
     */
    public StaleFencingTokenException(String resource, long token, long currentToken) {
        super("Write to " + resource + " refused: its fencing token " + token + " is older than the token "
                + currentToken + " the resource has seen; the lock was taken over since it was granted");
        this.token = token;
        this.currentToken = currentToken;
    }

    /** The fencing token the refused write carried. */
    public long getToken() {
        return token;
    }

    /** The fencing token the resource had seen when it refused the write (larger than {@link #getToken()}). */
    public long getCurrentToken() {
        return currentToken;
    }
}
