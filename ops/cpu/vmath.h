// Vectorised exp, tanh and sigmoid over float arrays: the gate nonlinearities of every recurrent
// cell, and the unary ops exp, tanh and sigmoid.
//
// Accuracy: each value is computed in double precision (relative error below 1e-14 before the
// last step) and rounded to float once, so the result is the correctly rounded float except when
// the exact value lies within about 1e-14 (relative) of a rounding midpoint: at most 0.5 ulp plus
// a hair, and within 1 ulp of the correctly rounded value always. glibc's expf is within 0.502
// ulp, its tanhf within 2 ulp; tests/ops/test_vmath.c compares both over a dense sweep of inputs
// including the extremes. Special values behave like libm's: NaN gives NaN, exp(+inf) = +inf,
// exp(-inf) = 0, tanh(±inf) = ±1, sigmoid(+inf) = 1, sigmoid(-inf) = 0, tanh(-0) = -0; exp
// overflows to +inf above 88.72 and underflows to 0 (through subnormals) below -103.97.
//
// Every instruction set gives the same bits: the kernels run the same lane arithmetic whether
// the loader picks the AVX-512, AVX2 or baseline build (no FMA contraction in ISO C mode), and
// elementwise results never depend on how an array is split across threads.
#ifndef RECUR_VMATH_H
#define RECUR_VMATH_H

#include <stdint.h>

// y[i] = f(x[i]) for 0 <= i < n; y may equal x (in place), otherwise they must not overlap.
void rc_vexp(const float *x, float *y, int64_t n);
void rc_vtanh(const float *x, float *y, int64_t n);
void rc_vsigmoid(const float *x, float *y, int64_t n);

#endif
