/**
 * HDF5 files: checkpoints of the state tree, traces, and their inspection. Imports dopt.state only.
 */
package dopt.io;
