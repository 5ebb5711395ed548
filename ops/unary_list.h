// Every elementwise unary op, one line each:
//   X(name, dot label, y = f(x), dx = f'(x) * g using x, y and g, test lo, test hi, test min |x|,
//     array kernel)
// The list generates forward, backward, builder, registry entry and gradient-check spec. An op
// with an array kernel (ops/cpu/vmath.h: vectorised, within 1 ulp of the correctly rounded
// result) runs it for its forward; its y = f(x) column is then the libm reference the kernel is
// tested against (within 2 ulp). NULL: the forward is the y = f(x) loop.
#ifndef RECUR_UNARY_LIST_H
#define RECUR_UNARY_LIST_H

#define RC_UNARY_OPS(X)                                                                            \
    X(neg, "-x", -x, -g, -2.0f, 2.0f, 0.0f, NULL)                                                  \
    X(exp, "exp", expf(x), g *y, -2.0f, 2.0f, 0.0f, rc_vexp)                                       \
    X(log, "log", logf(x), g / x, 0.2f, 3.0f, 0.0f, NULL)                                          \
    X(sqrt, "sqrt", sqrtf(x), 0.5f * g / y, 0.2f, 3.0f, 0.0f, NULL)                                \
    X(square, "x²", x *x, 2.0f * g * x, -2.0f, 2.0f, 0.0f, NULL)                                   \
    X(abs, "|x|", fabsf(x), x > 0 ? g : (x < 0 ? -g : 0.0f), -2.0f, 2.0f, 0.1f, NULL)              \
    X(tanh, "tanh", tanhf(x), g *(1.0f - y * y), -2.0f, 2.0f, 0.0f, rc_vtanh)                      \
    X(sigmoid, "σ", sigmoid_libm(x), g *y *(1.0f - y), -3.0f, 3.0f, 0.0f, rc_vsigmoid)             \
    X(relu, "relu", x > 0 ? x : 0.0f, x > 0 ? g : 0.0f, -2.0f, 2.0f, 0.1f, NULL)                   \
    X(softsign, "softsign", x / (1.0f + fabsf(x)), g / ((1.0f + fabsf(x)) * (1.0f + fabsf(x))),    \
      -2.0f, 2.0f, 0.1f, NULL)                                                                     \
    X(hard_sigmoid, "hard σ", fminf(fmaxf(x / 6.0f + 0.5f, 0.0f), 1.0f),                           \
      (x > -3.0f && x < 3.0f) ? g / 6.0f : 0.0f, -2.5f, 2.5f, 0.0f, NULL)                          \
    X(log_sigmoid, "log σ", -softplus_libm(-x), g *sigmoid_libm(-x), -3.0f, 3.0f, 0.0f, NULL)      \
    X(softplus, "softplus", softplus_libm(x), g *sigmoid_libm(x), -3.0f, 3.0f, 0.0f, NULL)

#endif
