// The model the task driver trains: one layer of any cell type and a linear read-out of the
// last step (or of every step), built from public layers and ops only.
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "model_impl.h"

rc_status rc_task_model_new(rc_task_model *m, const rc_task *task, const rc_cell_type *cell, int T,
                            int H, rc_rng *rng, char *err, size_t err_len) {
    *m = (rc_task_model){.task = task, .T = T};
    _Alignas(16) unsigned char opts[RC_CELL_OPTS_MAX];
    rc_status st = rc_cell_opts_init(cell, H, opts, sizeof opts, err, err_len);
    if (st != RC_OK)
        return st;
    if ((st = rc_params_new(&m->ps)) != RC_OK)
        return rc_errf(err, err_len, st, "rc_task_train: out of memory (parameter store)");
    const rc_rnn_config cfg = {
        .cell = cell, .cell_opts = opts, .dim_in = task->dim_in, .num_layers = 1};
    st = rc_rnn_new(&m->rnn, &cfg, m->ps, "rnn.", rng, err, err_len);
    if (st == RC_OK) {
        st = rc_linear_layer_init(&m->head, m->ps, "head", rc_rnn_dim_out(m->rnn), task->dim_out,
                                  true, rng);
        if (st != RC_OK)
            rc_errf(err, err_len, st, "rc_task_train: %s: read-out [%d,%lld] not made", cell->name,
                    task->dim_out, (long long)rc_rnn_dim_out(m->rnn));
    }
    m->ys = st == RC_OK ? calloc((size_t)T, sizeof *m->ys) : NULL;
    if (st == RC_OK && !m->ys)
        st = rc_errf(err, err_len, RC_ERR_NOMEM, "rc_task_train: out of memory (T = %d)", T);
    if (st != RC_OK)
        rc_task_model_free(m);
    return st;
}

void rc_task_model_free(rc_task_model *m) {
    rc_rnn_free(&m->rnn);
    rc_params_free(&m->ps);
    free(m->ys);
    m->ys = NULL;
}

rc_var rc_task_model_logits(rc_graph *g, rc_task_model *m, const rc_task_batch *b) {
    rc_var x = rc_input(g, RC_SHAPE(b->T, b->B, b->I), b->x);
    if (rc_rnn_unroll_seq(g, m->rnn->cells[0], x, NULL, m->ys, NULL, NULL) != RC_OK)
        return RC_NONE;
    rc_var h = m->ys[b->T - 1];
    if (m->task->per_step) {
        const int64_t D = rc_shape_of(h).dim[1];
        h = rc_reshape(rc_stack(m->ys, b->T, 0), RC_SHAPE((int64_t)b->T * b->B, D));
    }
    return rc_linear_layer_forward(&m->head, g, h);
}

rc_status rc_task_gradflow(rc_graph *g, rc_task_model *m, const rc_task_batch *b, double *norm) {
    rc_graph_reset(g);
    rc_var loss = m->task->loss(rc_task_model_logits(g, m, b), b);
    rc_status st = rc_backward(loss);
    for (int t = 0; st == RC_OK && t < b->T; t++) {
        const rc_tensor gr = rc_grad(m->ys[t]);
        double s = 0;
        for (int64_t i = 0; gr.data && i < gr.n; i++)
            s += (double)gr.data[i] * gr.data[i];
        norm[t] = sqrt(s);
    }
    rc_params_zero_grad(m->ps);
    rc_graph_reset(g);
    return st;
}
