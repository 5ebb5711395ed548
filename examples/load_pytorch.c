// Loading a PyTorch model's weights into recur, start to finish. The model (see
// tests/fixtures/make_weights_fixtures.py) is
//
//   class Tagger(nn.Module):           # saved as {"model." + k: v for k, v in state_dict()}
//       rnn = nn.LSTM(5, 7, num_layers=2, bidirectional=True, proj_size=3)
//       head = nn.Linear(6, 4)
//
// This program derives the LSTM's config from the file (nothing about the model is written
// here), builds the layers with no generator (their weights come from the file), loads every
// tensor by name with the "model." prefix stripped, runs a batch of unequal lengths and compares
// the logits and final states with PyTorch's.
//
// Run: ./build/examples/load_pytorch [state_dict.safetensors io.safetensors]
//      (default: the files in tests/fixtures/weights/, from the source root)
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <recur/recur.h>

#define TOLERANCE 1e-5

typedef struct model {
    rc_params *ps;
    rc_rnn *rnn;
    rc_linear_layer head;
} model;

// The layers, shaped by the file: the LSTM's config derived from "model.rnn.*", the head's width
// from model.head.weight. Parameters are named as the file's after "model.".
static int build(model *m, const rc_safetensors *f, char *err, size_t len) {
    rc_rnn_config cfg;
    rc_torch_cell_opts opts = {0};
    if (rc_rnn_config_derive(&cfg, &opts, f, "model.rnn.", &rc_lstm_cell_type, err, len))
        return 1;
    printf("derived: lstm, dim_in %lld, H %lld, proj_size %lld, %d layers%s%s\n",
           (long long)cfg.dim_in, (long long)opts.lstm.dim_hidden, (long long)opts.lstm.proj_size,
           cfg.num_layers, cfg.bidirectional ? ", bidirectional" : "",
           opts.lstm.no_bias ? ", no bias" : "");
    const rc_safetensors_info *hw = rc_safetensors_find(f, "model.head.weight");
    if (!hw || hw->ndim != 2) {
        snprintf(err, len, "no 2-D model.head.weight in the file");
        return 1;
    }
    rc_rng rng; // rc_linear_layer_init draws an init, which the load overwrites
    rc_rng_seed(&rng, 1);
    if (rc_params_new(&m->ps) || rc_rnn_new(&m->rnn, &cfg, m->ps, "rnn.", NULL, err, len))
        return 1;
    if (rc_linear_layer_init(&m->head, m->ps, "head", rc_rnn_dim_out(m->rnn), hw->dims[0], true,
                             &rng)) {
        snprintf(err, len, "cannot create the head [%lld,%lld]", (long long)hw->dims[0],
                 (long long)rc_rnn_dim_out(m->rnn));
        return 1;
    }
    // Strict: every parameter must load and the file may hold nothing else.
    const rc_load_opts lo = {.strict = true, .strip_prefix = "model."};
    rc_load_report rep;
    if (rc_params_load_safetensors(m->ps, f, &lo, &rep, err, len))
        return 1;
    printf("loaded %d tensors\n", rep.loaded);
    return 0;
}

// The largest |got - want| / max(|want|, 1) over the entries where keep(i) holds.
static double max_rel_err(rc_tensor got, const float *want, const bool *keep) {
    double worst = 0;
    for (int64_t i = 0; i < got.n; i++)
        if (!keep || keep[i])
            worst = fmax(worst, fabs((double)got.data[i] - want[i]) / fmax(fabs(want[i]), 1.0));
    return worst;
}

// Reads tensor `name` of io into a new buffer; NULL with err set when absent.
static float *read_all(const rc_safetensors *io, const char *name, rc_shape *shape, char *err,
                       size_t len) {
    const rc_safetensors_info *t = rc_safetensors_find(io, name);
    float *x = t ? malloc((size_t)t->numel * sizeof *x + 1) : NULL;
    if (!t || !x || rc_safetensors_read(io, name, x, t->numel, err, len)) {
        if (!t)
            snprintf(err, len, "the reference file has no %s", name);
        free(x);
        return NULL;
    }
    *shape = t->shape;
    return x;
}

// Runs the batch of io and compares the logits at real steps, h_n and c_n with PyTorch's.
static int compare(const model *m, const rc_safetensors *io, char *err, size_t len) {
    rc_shape xs, ls, hs, cs;
    int32_t lengths[64];
    float *x = read_all(io, "input", &xs, err, len), *want = read_all(io, "logits", &ls, err, len);
    float *h = read_all(io, "h_n", &hs, err, len), *c = read_all(io, "c_n", &cs, err, len);
    const int64_t T = x ? xs.dim[0] : 0, B = x ? xs.dim[1] : 0;
    int bad = !x || !want || !h || !c || B > 64 ||
              rc_safetensors_read_i32(io, "lengths", lengths, B, err, len) != RC_OK;
    rc_graph *g = NULL;
    bool *real = bad ? NULL : calloc((size_t)(T * B * ls.dim[2]), 1);
    if (!bad && real && rc_graph_new(&g) == RC_OK) {
        for (int64_t i = 0; i < T * B * ls.dim[2]; i++) // padded steps: PyTorch's logits are 0
            real[i] = i / ls.dim[2] / B < lengths[i / ls.dim[2] % B];
        rc_rnn_run run = {.lengths = lengths};
        rc_rnn_result out;
        rc_rnn_forward(g, m->rnn, rc_input(g, xs, x), &run, &out);
        rc_var logits = rc_linear_layer_forward(&m->head, g, out.output);
        if (rc_graph_status(g) != RC_OK) {
            snprintf(err, len, "%s", rc_graph_errmsg(g));
            bad = 1;
        } else {
            double e[3] = {max_rel_err(rc_value(logits), want, real),
                           max_rel_err(rc_value(out.state[0]), h, NULL),
                           max_rel_err(rc_value(out.state[1]), c, NULL)};
            printf("max relative error against PyTorch: logits %.2g, h_n %.2g, c_n %.2g\n", e[0],
                   e[1], e[2]);
            bad = !(e[0] <= TOLERANCE && e[1] <= TOLERANCE && e[2] <= TOLERANCE);
            if (bad)
                snprintf(err, len, "outputs differ from PyTorch's by more than %g", TOLERANCE);
        }
    }
    rc_graph_free(&g);
    free(real), free(x), free(want), free(h), free(c);
    return bad;
}

int main(int argc, char **argv) {
    const char *paths[2] = {"tests/fixtures/weights/tagger_state_dict.safetensors",
                            "tests/fixtures/weights/tagger_io.safetensors"};
    if (argc == 3)
        paths[0] = argv[1], paths[1] = argv[2];
    char err[1024] = "";
    rc_safetensors *f = NULL, *io = NULL;
    model m = {0};
    int bad = rc_safetensors_open(&f, paths[0], err, sizeof err) ||
              rc_safetensors_open(&io, paths[1], err, sizeof err) ||
              build(&m, f, err, sizeof err) || compare(&m, io, err, sizeof err);
    if (bad)
        fprintf(stderr, "load_pytorch: %s\n", err);
    else
        printf("recur matches PyTorch\n");
    rc_rnn_free(&m.rnn);
    rc_params_free(&m.ps);
    rc_safetensors_close(&f);
    rc_safetensors_close(&io);
    return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}
