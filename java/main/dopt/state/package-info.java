/**
 * The named state tree that holds every piece of training state and that checkpoints write and read.
 * Imports nothing from other dopt packages.
 */
package dopt.state;
