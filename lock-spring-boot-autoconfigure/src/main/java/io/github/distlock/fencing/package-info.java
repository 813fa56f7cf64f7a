/**
 * Checking fencing tokens on the resource side: {@link io.github.distlock.fencing.FencedRowUpdate} for a relational
 * row, {@link io.github.distlock.fencing.StaleFencingTokenException} for a refused write (README, "Fencing tokens",
 * for other resources). Uses nothing of this project but {@code api}.
 */
package io.github.distlock.fencing;
