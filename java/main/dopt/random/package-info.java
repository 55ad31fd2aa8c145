/** Seeded, checkpointable random number generation. Imports nothing from other dopt packages. */
package dopt.random;
