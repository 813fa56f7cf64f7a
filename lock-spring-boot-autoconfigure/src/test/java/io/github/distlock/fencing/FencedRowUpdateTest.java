package io.github.distlock.fencing;

import java.util.Map;
import java.util.UUID;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fenced row update on an in-memory H2 database. */
class FencedRowUpdateTest {

    private JdbcClient jdbc;
    private FencedRowUpdate ledger;

    @BeforeEach
    void createTable() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        jdbc = JdbcClient.create(dataSource);
        jdbc.sql("CREATE TABLE ledger (id BIGINT PRIMARY KEY, balance BIGINT, note VARCHAR(100), fence BIGINT)")
                .update();
        jdbc.sql("INSERT INTO ledger (id, balance, fence) VALUES (1, 0, NULL)").update();
        ledger = FencedRowUpdate.of(jdbc, "ledger", "id", "fence");
    }

    @Test
    void aNewerTokenWritesAndIsStored() {
        ledger.update(5, 1L, Map.of("balance", 10, "note", "first"));
        assertThat(row()).containsEntry("BALANCE", 10L).containsEntry("NOTE", "first").containsEntry("FENCE", 5L);
        ledger.update(7, 1L, Map.of("balance", 20));
        assertThat(row()).containsEntry("BALANCE", 20L).containsEntry("FENCE", 7L);
    }

    @Test
    void theSameTokenMayWriteAgain() {
        ledger.update(5, 1L, Map.of("balance", 10));
        ledger.update(5, 1L, Map.of("balance", 11));
        assertThat(row()).containsEntry("BALANCE", 11L).containsEntry("FENCE", 5L);
    }

    @Test
    void anOlderTokenIsRefusedNamingTheTokenSeen() {
        ledger.update(7, 1L, Map.of("balance", 20));
        assertThatThrownBy(() -> ledger.update(5, 1L, Map.of("balance", 99)))
                .isInstanceOfSatisfying(StaleFencingTokenException.class, e -> {
                    assertThat(e.getToken()).isEqualTo(5);
                    assertThat(e.getCurrentToken()).isEqualTo(7);
                })
                .hasMessageContaining("ledger id 1").hasMessageContaining("5").hasMessageContaining("7");
        assertThat(row()).containsEntry("BALANCE", 20L).containsEntry("FENCE", 7L);
    }

    @Test
    void aMissingRowIsNotAStaleToken() {
        assertThatThrownBy(() -> ledger.update(5, 2L, Map.of("balance", 1)))
                .isInstanceOf(EmptyResultDataAccessException.class).hasMessageContaining("id = 2");
    }

    @Test
    void namesThatAreNotPlainIdentifiersAndBadTokensAreRefused() {
        assertThatThrownBy(() -> FencedRowUpdate.of(jdbc, "ledger; DROP TABLE ledger", "id", "fence"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table");
        assertThatThrownBy(() -> ledger.update(5, 1L, Map.of("balance = 0 --", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column");
        assertThatThrownBy(() -> ledger.update(5, 1L, Map.of("fence", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token column");
        assertThatThrownBy(() -> ledger.update(0, 1L, Map.of("balance", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThat(row()).containsEntry("BALANCE", 0L).containsEntry("FENCE", null);
    }

    private Map<String, Object> row() {
        return jdbc.sql("SELECT balance, note, fence FROM ledger WHERE id = 1").query().singleRow();
    }
}
