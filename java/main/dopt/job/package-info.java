/** Jobs as data: the job schema, its parser and validator. Imports nothing from other dopt packages. */
package dopt.job;
