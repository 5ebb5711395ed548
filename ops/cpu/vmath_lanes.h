// Private to ops/: the lane arithmetic behind ops/cpu/vmath.h, for kernels that apply the gate
// nonlinearities inside a larger pass (the fused LSTM and GRU ops). Eight lanes at a time in GCC
// vectors, widened to double (the reduction x = n ln2 + r with |r| <= ln2/2 and n*ln2_hi exact,
// the degree-11 Taylor polynomial of e^r, truncation error below 7e-15 relative, and 2^n through
// the exponent bits), then
//   tanh(x)    = sign(x) (1 - e^-2|x|) / (1 + e^-2|x|),  and x itself for |x| < 2^-12, where
//                tanh(x) rounds to x in float and 1 - e^-2|x| would lose digits,
//   sigmoid(x) = 1 / (1 + e^-x),
// and one rounding back to float. Inputs are clamped first to where the float result is already
// decided (|x| <= 150 for exp and sigmoid, |x| <= 20 for tanh), which keeps 2^n a normal double.
// A NaN passes every clamp (comparisons with NaN are false) and comes out as NaN.
//
// A kernel that includes this header marks itself VMATH_CLONES and moves lanes with memcpy.
#ifndef RECUR_VMATH_LANES_H
#define RECUR_VMATH_LANES_H

#include <stdint.h>
#include <string.h>

typedef float vf8 __attribute__((vector_size(32)));
typedef int32_t vm8 __attribute__((vector_size(32))); // lane masks of vf8 comparisons
typedef double vd8 __attribute__((vector_size(64)));
typedef int64_t vi8 __attribute__((vector_size(64)));
#define VLANES 8

// Compiled for AVX-512, AVX2 and the baseline; the loader picks one for the machine. All three
// run the same lane arithmetic, so they give the same bits. (Comparisons and selects stay on
// the float lanes: GCC 12 fails to compile them on 64-byte vectors for AVX2.)
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VMATH_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VMATH_CLONES
#endif

#define VSPLAT(c) ((vd8){(c), (c), (c), (c), (c), (c), (c), (c)})
#define VSPLAT_F(c) ((vf8){(c), (c), (c), (c), (c), (c), (c), (c)})
#define VSPLAT_M(c) ((vm8){(c), (c), (c), (c), (c), (c), (c), (c)})
// Lanes of a where mask m is set (all ones), of b elsewhere.
#define VSELECT(m, a, b) ((vf8)(((vm8)(a) & (m)) | ((vm8)(b) & ~(m))))
#define VSIGN_BIT ((int32_t)0x80000000)

#define VLOG2E 0x1.71547652b82fep0
#define VLN2_HI 0x1.62e42fee00000p-1 // ln 2 to 32 bits: n * VLN2_HI is exact for |n| < 2^21
#define VLN2_LO 0x1.a39ef35793c76p-33
#define VSHIFTER 0x1.8p52 // adding it rounds to an integer, kept in the low mantissa bits

// Vectors go through pointers: passing one by value changes the ABI between instruction sets
// (and GCC warns about it); inlined, the pointers disappear. Lane functions must be inlined into
// the kernel that calls them: compiled on their own they would get the baseline instruction set
// whatever clone calls them (GCC leaves a large one out of line at -O2).
#define VINLINE static inline __attribute__((always_inline))

// *y = e^x for float lanes x in [-300, 300] (or NaN), in double.
VINLINE void vexp_double(const vf8 *xf, vd8 *y) {
    const vd8 x = __builtin_convertvector(*xf, vd8);
    const vd8 t = x * VSPLAT(VLOG2E) + VSPLAT(VSHIFTER);
    const vd8 n = t - VSPLAT(VSHIFTER);
    const vd8 r = (x - n * VSPLAT(VLN2_HI)) - n * VSPLAT(VLN2_LO);
    vd8 p = VSPLAT(1.0 / 39916800);
    p = p * r + VSPLAT(1.0 / 3628800);
    p = p * r + VSPLAT(1.0 / 362880);
    p = p * r + VSPLAT(1.0 / 40320);
    p = p * r + VSPLAT(1.0 / 5040);
    p = p * r + VSPLAT(1.0 / 720);
    p = p * r + VSPLAT(1.0 / 120);
    p = p * r + VSPLAT(1.0 / 24);
    p = p * r + VSPLAT(1.0 / 6);
    p = p * r + VSPLAT(0.5);
    p = p * r + VSPLAT(1.0);
    p = p * r + VSPLAT(1.0);
    // t's bits minus the shifter's are n; (n + 1023) << 52 is the double 2^n.
    const vi8 k = (vi8)t - (vi8)VSPLAT(VSHIFTER);
    *y = p * (vd8)((k + 1023) << 52);
}

// Lanes above hi become hi, below lo become lo; NaN stays.
VINLINE void vclamp_lanes(vf8 *v, float lo, float hi) {
    const vm8 above = *v > VSPLAT_F(hi), below = *v < VSPLAT_F(lo);
    *v = VSELECT(above, VSPLAT_F(hi), *v);
    *v = VSELECT(below, VSPLAT_F(lo), *v);
}

VINLINE void vexp_lanes(vf8 *v) {
    vclamp_lanes(v, -150.0f, 150.0f);
    vd8 e;
    vexp_double(v, &e);
    *v = __builtin_convertvector(e, vf8);
}

VINLINE void vtanh_lanes(vf8 *v) {
    const vf8 x = *v;
    const vm8 sign = (vm8)x & VSPLAT_M(VSIGN_BIT);
    vf8 a = (vf8)((vm8)x & ~VSPLAT_M(VSIGN_BIT)); // |x|
    const vm8 tiny = a < VSPLAT_F(0x1p-12f);
    vclamp_lanes(&a, 0.0f, 20.0f);
    a = VSPLAT_F(-2.0f) * a; // exact
    vd8 e;
    vexp_double(&a, &e);
    const vf8 y = __builtin_convertvector((VSPLAT(1.0) - e) / (VSPLAT(1.0) + e), vf8);
    *v = VSELECT(tiny, x, (vf8)((vm8)y | sign));
}

VINLINE void vsigmoid_lanes(vf8 *v) {
    vf8 m = -*v;
    vclamp_lanes(&m, -150.0f, 150.0f);
    vd8 e;
    vexp_double(&m, &e);
    *v = __builtin_convertvector(VSPLAT(1.0) / (VSPLAT(1.0) + e), vf8);
}

#endif
