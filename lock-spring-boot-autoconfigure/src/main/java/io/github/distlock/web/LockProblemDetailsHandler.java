package io.github.distlock.web;

import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.fencing.StaleFencingTokenException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Turns lock failures that escape a controller into RFC 9457 problem details (Spring MVC and WebFlux alike):
 * <ul>
 *   <li>{@link LockNotAcquiredException}: 409 Conflict, "Lock not acquired"; the resource id and store only with
 *       {@code distributed-lock.web.include-key=true};</li>
 *   <li>{@link LockLostException} and {@link StaleFencingTokenException}: 409 Conflict, "Lock lost": the lock the
 *       request held ran out or was taken over before its work finished (a fenced write was refused, or the
 *       {@code onLockLost} option said to fail); nothing of the lock is named, the cause is logged as one WARN
 *       line;</li>
 *   <li>{@link LockStoreException}: 503 Service Unavailable, "Lock store unavailable", logged as one WARN line
 *       naming the store and cause (the client gets neither).</li>
 * </ul>
 * Ordered last among the application's advice, so that an {@code @ExceptionHandler} of the application for these
 * exceptions (in a controller, or in an advice of its own) wins.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class LockProblemDetailsHandler {

    private static final Log logger = LogFactory.getLog(LockProblemDetailsHandler.class);

    private final boolean includeKey;

    /** @param includeKey whether a 409 names the resource id and store */
    public LockProblemDetailsHandler(boolean includeKey) {
        this.includeKey = includeKey;
    }

    @ExceptionHandler(LockNotAcquiredException.class)
    public ResponseEntity<ProblemDetail> lockNotAcquired(LockNotAcquiredException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                "Another request holds the lock this request needs; try again later.");
        problem.setTitle("Lock not acquired");
        if (includeKey) {
            problem.setProperty("resourceId", e.getResourceId());
            problem.setProperty("store", e.getStoreName());
        }
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }

    @ExceptionHandler({LockLostException.class, StaleFencingTokenException.class})
    public ResponseEntity<ProblemDetail> lockLost(RuntimeException e) {
        logger.warn("Answered 409: " + e.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                "The lock this request held was lost before its work finished; the work may be retried.");
        problem.setTitle("Lock lost");
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }

    @ExceptionHandler(LockStoreException.class)
    public ResponseEntity<ProblemDetail> lockStoreFailed(LockStoreException e) {
        logger.warn("Answered 503: " + e.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The lock store could not be reached; try again later.");
        problem.setTitle("Lock store unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem);
    }
}
