// Truncated back-propagation through time: the final states of one segment are copied out of its
// graph as plain values and come back as leaves of the next segment's graph, so the state carries
// over while gradients stop at the segment boundary.
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

rc_status rc_rnn_carry_save(rc_rnn_carry *carry, const rc_var *state, int n_state) {
    const char *fn = "rc_rnn_carry_save";
    if (!carry || !state)
        return rc_set_last_error(RC_ERR_ARG, "%s: %s is NULL", fn, !carry ? "carry" : "state");
    if (n_state < 1 || n_state > RC_CELL_MAX_STATE)
        return rc_set_last_error(RC_ERR_ARG, "%s: n_state = %d; want 1 to %d", fn, n_state,
                                 RC_CELL_MAX_STATE);
    for (int k = 0; k < n_state; k++)
        if (!rc_ok(state[k]))
            return rc_set_last_error(RC_ERR_ARG, "%s: state[%d] is not a valid handle%s", fn, k,
                                     state[k].g ? " (its graph holds an error)" : "");
    for (int k = 0; k < n_state; k++) {
        rc_tensor v = rc_value(state[k]);
        if ((size_t)v.n > carry->cap[k]) {
            float *d = realloc(carry->data[k], (size_t)v.n * sizeof *d);
            if (!d)
                return rc_set_last_error(RC_ERR_NOMEM, "%s: out of memory", fn);
            carry->data[k] = d;
            carry->cap[k] = (size_t)v.n;
        }
        memcpy(carry->data[k], v.data, (size_t)v.n * sizeof *v.data);
        carry->shape[k] = v.shape;
    }
    carry->n_state = n_state;
    return RC_OK;
}

void rc_rnn_carry_load(const rc_rnn_carry *carry, rc_graph *g, rc_var *state0) {
    if (!state0 || !g)
        rc_graph_set_error(g, RC_ERR_ARG, "rc_rnn_carry_load", "%s is NULL", !g ? "g" : "state0");
    for (int k = 0; state0 && k < RC_CELL_MAX_STATE; k++)
        state0[k] = g && carry && k < carry->n_state ? rc_input(g, carry->shape[k], carry->data[k])
                                                     : RC_NONE;
}

void rc_rnn_carry_clear(rc_rnn_carry *carry) {
    if (carry)
        carry->n_state = 0;
}

void rc_rnn_carry_free(rc_rnn_carry *carry) {
    if (!carry)
        return;
    for (int k = 0; k < RC_CELL_MAX_STATE; k++)
        free(carry->data[k]);
    memset(carry, 0, sizeof *carry);
}
