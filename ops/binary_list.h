// Every broadcasting binary op, one line each:
//   X(name, dot label, y = f(a, b), da using a, b, g, db using a, b, g, test min |input|)
// minimum and maximum split the gradient evenly on ties, as PyTorch does.
#ifndef RECUR_BINARY_LIST_H
#define RECUR_BINARY_LIST_H

#define RC_BINARY_OPS(X)                                                                           \
    X(add, "+", a + b, g, g, 0.0f)                                                                 \
    X(sub, "-", a - b, g, -g, 0.0f)                                                                \
    X(mul, "×", a *b, g *b, g *a, 0.0f)                                                            \
    X(div, "÷", a / b, g / b, -g * a / (b * b), 0.5f)                                              \
    X(minimum, "min", a < b ? a : b, a < b ? g : (a == b ? 0.5f * g : 0.0f),                       \
      b < a ? g : (a == b ? 0.5f * g : 0.0f), 0.0f)                                                \
    X(maximum, "max", a > b ? a : b, a > b ? g : (a == b ? 0.5f * g : 0.0f),                       \
      b > a ? g : (a == b ? 0.5f * g : 0.0f), 0.0f)

#endif
