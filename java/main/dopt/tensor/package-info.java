/** Flat row-major float tensors, named parameters and the dense kernels on them. Imports only {@code dopt.random}. */
package dopt.tensor;
