/** Models with hand-written backward passes. Imports dopt.tensor and dopt.random. */
package dopt.nn;
