package io.github.distlock.api;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LockStoreExceptionTest {

    @Test
    void theMessageNamesTheStoreTheOperationTheFailureAndItsInnermostCause() {
        Exception failure = new IllegalStateException("Unable to connect",
                new RuntimeException("wrapper", new IOException("WRONGPASS invalid username-password pair")));
        assertThat(new LockStoreException("main", "TryLock", failure)).hasMessage("Lock store 'main' failed during "
                + "TryLock: IllegalStateException: Unable to connect; caused by IOException: WRONGPASS invalid "
                + "username-password pair");
    }

    @Test
    void aCauseAlreadyInTheMessageIsNotRepeated() {
        IOException root = new IOException("refused");
        assertThat(new LockStoreException("main", "Unlock", new IllegalStateException("java.io.IOException: refused",
                root))).hasMessage("Lock store 'main' failed during Unlock: IllegalStateException: java.io.IOException: "
                        + "refused");
        assertThat(new LockStoreException("main", "Unlock", root))
                .hasMessage("Lock store 'main' failed during Unlock: IOException: refused");
    }
}
