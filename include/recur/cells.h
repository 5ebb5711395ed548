// recur: the gating variants of the literature, each a short cell of its own.
#ifndef RECUR_CELLS_H
#define RECUR_CELLS_H

#include "rnn.h"

#endif
