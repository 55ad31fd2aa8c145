/**
 * Collectives among ranks: the {@link dopt.comm.Communicator} interface, its MPJ Express
 * implementation with bounded waits, the in-process one with thread ranks (for tests), and the
 * single-rank one. Imports nothing from other dopt packages.
 */
package dopt.comm;
