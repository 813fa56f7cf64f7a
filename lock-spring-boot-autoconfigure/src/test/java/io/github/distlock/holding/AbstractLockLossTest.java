package io.github.distlock.holding;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockLostEvent;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.OnLockLost;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.spi.LockStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A lock lost while its {@code @DistributedLock} method runs, on a real store: removed behind its holder's back (as an
 * operator or a broken client would), the holder is told within a third of the lease plus a round trip
 * ({@code isHeld()}, WARN, {@code distributed.lock.lost}, {@link LockLostEvent}); a {@code @Transactional} write
 * inside the method is rolled back; with {@link OnLockLost#INTERRUPT} the method's thread is interrupted. The
 * application is Spring Boot's: an H2 database in memory with its transaction manager, and the store as a
 * {@code LockStore} bean named {@value #STORE}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
@Timeout(120)
public abstract class AbstractLockLossTest {

    protected static final String STORE = "lossy";
    /** Lease of the locks here: above etcd's 2 s minimum TTL; renewed every second. */
    protected static final int EXPIRE_SECONDS = 3;
    /** A third of the lease, plus a round trip and the watchdog's tick, with slack for a loaded machine. */
    protected static final long DETECTION_BOUND_MILLIS = 1000 + 600;

    /** The store under test on a real server, shared by the tests of the class (not closed by the context). */
    protected abstract LockStore store();

    /** Removes the lock on {@code key} (as the store holds it) behind its holder's back. */
    protected abstract void removeBehindItsBack(String key, String owner) throws Exception;

    /** The application around {@code store}. */
    protected ApplicationContextRunner application(LockStore store) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                        TransactionManagerCustomizationAutoConfiguration.class, TransactionAutoConfiguration.class,
                        JdbcTemplateAutoConfiguration.class, JdbcClientAutoConfiguration.class))
                .withBean(STORE, LockStore.class, () -> store, definition -> definition.setDestroyMethodName(""))
                .withBean(SimpleMeterRegistry.class).withBean(Ledger.class).withBean(LossEvents.class)
                .withPropertyValues("spring.application.name=ledger");
    }

    /** Work inside the lock, given the lock. */
    @FunctionalInterface
    public interface Step {
        void run(LockHandle lock) throws Exception;
    }

    public static class Ledger {

        private final JdbcClient jdbc;
        private final AtomicReference<String> outcome = new AtomicReference<>();
        private final AtomicLong interruptedAt = new AtomicLong();

        public Ledger(JdbcClient jdbc) {
            this.jdbc = jdbc;
            jdbc.sql("create table entries (id varchar(64) primary key)").update();
        }

        @DistributedLock(key = "'ledger:' + #id", expire = "3s")
        @Transactional
        public void book(String id, Step whileHeld) throws Exception {
            jdbc.sql("insert into entries (id) values (?)").param(id).update();
            whileHeld.run(CurrentLock.get().orElseThrow());
        }

        @DistributedLock(key = "'work:' + #id", expire = "3s", onLockLost = OnLockLost.INTERRUPT)
        public String work(String id, CompletableFuture<LockHandle> started) {
            started.complete(CurrentLock.get().orElseThrow());
            try {
                Thread.sleep(30_000);
                outcome.set("finished");
            } catch (InterruptedException e) {
                interruptedAt.set(System.nanoTime());
                outcome.set("interrupted");
            }
            return outcome.get();
        }

        // Read through methods: the bean is a class proxy whose own fields are unused.
        String outcome() {
            return outcome.get();
        }

        long interruptedAt() {
            return interruptedAt.get();
        }

        int entries(String id) {
            return jdbc.sql("select count(*) from entries where id = ?").param(id).query(Integer.class).single();
        }
    }

    public static class LossEvents {

        final List<LockLostEvent> events = new CopyOnWriteArrayList<>();

        @EventListener
        void onLockLost(LockLostEvent event) {
            events.add(event);
        }
    }

    @Test
    void aLockRemovedBehindItsBackIsReportedAndTheTransactionInsideItRollsBack(CapturedOutput output) {
        application(store()).run(context -> {
            Ledger ledger = context.getBean(Ledger.class);
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            ledger.book("kept", lock -> {
            });
            assertThat(ledger.entries("kept")).as("committed while the lock was held").isOne();

            long[] lostAfter = new long[1];
            String[] owner = new String[1];
            assertThatThrownBy(() -> ledger.book("lost", lock -> {
                owner[0] = lock.owner();
                long removed = System.nanoTime();
                removeBehindItsBack(client.key(lock.resourceId()), lock.owner());
                await().atMost(Duration.ofSeconds(EXPIRE_SECONDS + 2)).pollInterval(Duration.ofMillis(5))
                        .until(() -> !lock.isHeld());
                lostAfter[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removed);
            })).isInstanceOf(LockLostException.class)
                    .hasMessageStartingWith("Lock 'ledger:lost' in store '" + STORE + "' was lost while it was held: "
                            + "LockKeepAlive answered ");
            assertThat(ledger.entries("lost")).as("rolled back").isZero();
            System.out.println(getClass().getSimpleName() + ": isHeld() false " + lostAfter[0] + " ms after the removal");
            assertThat(lostAfter[0]).as("ms from the removal until isHeld() is false")
                    .isLessThan(DETECTION_BOUND_MILLIS);

            LossEvents losses = context.getBean(LossEvents.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> losses.events.size() == 1);
            LockLostEvent event = losses.events.get(0);
            assertThat(event.storeName()).isEqualTo(STORE);
            assertThat(event.resourceId()).isEqualTo("ledger:lost");
            assertThat(event.owner()).isEqualTo(owner[0]);
            assertThat(event.cause()).isEqualTo(LockLossCause.KEEP_ALIVE_REFUSED);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("distributed.lock.lost").tags("store", STORE, "source", "annotation").counter()
                    .count()).isEqualTo(1.0);
            assertThat(output).contains("Lock 'ledger:lost' in store '" + STORE + "' (owner " + owner[0]
                    + ") was lost while it was held: LockKeepAlive answered ");

            // Removed and committed before the watchdog looks again: the check before the commit asks the store.
            assertThatThrownBy(() -> ledger.book("unseen", lock -> {
                Thread.sleep(400); // the acquisition is now older than a tenth of the lease
                removeBehindItsBack(client.key(lock.resourceId()), lock.owner());
            })).isInstanceOf(LockLostException.class);
            assertThat(ledger.entries("unseen")).as("rolled back").isZero();
        });
    }

    @Test
    void withOnLockLostInterruptTheMethodsThreadIsInterrupted() {
        application(store()).run(context -> {
            Ledger ledger = context.getBean(Ledger.class);
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            CompletableFuture<LockHandle> started = new CompletableFuture<>();
            CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> ledger.work("w1", started));
            LockHandle lock = started.get(10, TimeUnit.SECONDS);
            long removed = System.nanoTime();
            removeBehindItsBack(client.key(lock.resourceId()), lock.owner());
            assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(LockLostException.class);
            assertThat(ledger.outcome()).isEqualTo("interrupted");
            assertThat(TimeUnit.NANOSECONDS.toMillis(ledger.interruptedAt() - removed))
                    .as("ms from the removal to the interrupt").isLessThan(DETECTION_BOUND_MILLIS);
        });
    }
}
