// Every elementwise unary op, one line each:
//   X(name, dot label, y = f(x), dx = f'(x) * g using x, y and g, test lo, test hi, test min |x|)
// The list generates forward, backward, builder, registry entry and gradient-check spec.
#ifndef RECUR_UNARY_LIST_H
#define RECUR_UNARY_LIST_H

#define RC_UNARY_OPS(X)                                                                            \
    X(neg, "-x", -x, -g, -2.0f, 2.0f, 0.0f)                                                        \
    X(exp, "exp", expf(x), g *y, -2.0f, 2.0f, 0.0f)                                                \
    X(log, "log", logf(x), g / x, 0.2f, 3.0f, 0.0f)                                                \
    X(sqrt, "sqrt", sqrtf(x), 0.5f * g / y, 0.2f, 3.0f, 0.0f)                                      \
    X(square, "x²", x *x, 2.0f * g * x, -2.0f, 2.0f, 0.0f)                                         \
    X(abs, "|x|", fabsf(x), x > 0 ? g : (x < 0 ? -g : 0.0f), -2.0f, 2.0f, 0.1f)                    \
    X(tanh, "tanh", tanhf(x), g *(1.0f - y * y), -2.0f, 2.0f, 0.0f)                                \
    X(sigmoid, "σ", rc_sigmoidf(x), g *y *(1.0f - y), -3.0f, 3.0f, 0.0f)                          \
    X(relu, "relu", x > 0 ? x : 0.0f, x > 0 ? g : 0.0f, -2.0f, 2.0f, 0.1f)                         \
    X(softsign, "softsign", x / (1.0f + fabsf(x)),                                                 \
      g / ((1.0f + fabsf(x)) * (1.0f + fabsf(x))), -2.0f, 2.0f, 0.1f)                              \
    X(hard_sigmoid, "hard σ", fminf(fmaxf(x / 6.0f + 0.5f, 0.0f), 1.0f),                          \
      (x > -3.0f && x < 3.0f) ? g / 6.0f : 0.0f, -2.5f, 2.5f, 0.0f)                                \
    X(log_sigmoid, "log σ", -rc_softplusf(-x), g *rc_sigmoidf(-x), -3.0f, 3.0f, 0.0f)             \
    X(softplus, "softplus", rc_softplusf(x), g *rc_sigmoidf(x), -3.0f, 3.0f, 0.0f)

#endif
