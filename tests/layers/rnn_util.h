// Helpers shared by the recurrent-layer tests.
#ifndef RECUR_TEST_RNN_UTIL_H
#define RECUR_TEST_RNN_UTIL_H

#include <recur/recur.h>

// The built-in cells as the tests name them (the PyTorch parity fixtures use the same order).
enum { RU_RNN_TANH, RU_RNN_RELU, RU_LSTM, RU_LSTM_PROJ, RU_GRU, RU_N_KINDS };
extern const char *const ru_kind_names[RU_N_KINDS];

// A stacked RNN of the given kind with H hidden units (proj_size H/2 for RU_LSTM_PROJ), its
// parameters in ps drawn from seed. Asserts success.
rc_rnn *ru_make(rc_params *ps, int kind, int64_t I, int64_t H, int layers, bool bidir,
                float dropout, uint64_t seed);
// A lone cell of the given kind, parameters named "<role>" + suffix.
rc_cell *ru_cell(rc_params *ps, int kind, int64_t I, int64_t H, const char *suffix, uint64_t seed);
// An input leaf filled from U(-1,1) with seed.
rc_var ru_input(rc_graph *g, rc_shape shape, uint64_t seed);
// sum(v * w) with w drawn from U(-1,1) with seed: a loss that reaches every entry of v.
rc_var ru_weighted_sum(rc_var v, uint64_t seed);
// Asserts |a - b| <= rtol * max(|b|, 0.1 * max|b|) entry by entry (rtol 0: bit-identical).
void ru_assert_close(rc_tensor a, rc_tensor b, float rtol, const char *what);

// A fixture file under $RECUR_SOURCE_ROOT/tests/fixtures/ (or ./tests/fixtures), every tensor
// read as f32 through the library's safetensors reader. Asserts it opens and parses.
typedef struct ru_fixture ru_fixture;
ru_fixture *ru_fixture_open(const char *rel);
void ru_fixture_close(ru_fixture **f);
// The named tensor (owned by the fixture), or data == NULL when absent.
rc_tensor ru_fixture_get(const ru_fixture *f, const char *name);

#endif
