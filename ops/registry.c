// The op registry: every built-in op of ops/op_list.h, in its order. The gradient-check test walks
// this list, so an op cannot ship without its check.
#include <string.h>

#include "ops_impl.h"

static const rc_op_def *const registry[] = {
#define RC_OP(name) &rc_op_##name,
#include "op_list.h"
};

int rc_op_count(void) {
    return (int)(sizeof registry / sizeof registry[0]);
}

const rc_op_def *rc_op_at(int i) {
    return i >= 0 && i < rc_op_count() ? registry[i] : NULL;
}

const rc_op_def *rc_op_find(const char *name) {
    for (int i = 0; i < rc_op_count(); i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}
