package io.github.distlock.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An order service run as several instances: paying an order must happen once, even when the same payment request
 * reaches two instances at the same moment. {@link PaymentService#pay} is locked per order with
 * {@code @DistributedLock}.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
