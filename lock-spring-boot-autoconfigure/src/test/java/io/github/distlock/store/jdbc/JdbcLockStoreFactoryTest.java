package io.github.distlock.store.jdbc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The address the startup log and health show: the database's JDBC URL without what may carry credentials. */
class JdbcLockStoreFactoryTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db:5432/orders?user=app&password=secret | jdbc:postgresql://db:5432/orders",
            "jdbc:mysql://app:secret@db:3306/orders                    | jdbc:mysql://db:3306/orders",
            "jdbc:mariadb://db1,db2/orders?password=secret             | jdbc:mariadb://db1,db2/orders",
            "jdbc:h2:mem:orders;PASSWORD=secret;DB_CLOSE_DELAY=-1       | jdbc:h2:mem:orders",
            "jdbc:postgresql://127.0.0.1:5432/postgres                 | jdbc:postgresql://127.0.0.1:5432/postgres"})
    void theAddressIsTheUrlWithoutUserPasswordAndParameters(String url, String address) {
        assertThat(JdbcLockStoreFactory.address(url)).isEqualTo(address);
    }
}
