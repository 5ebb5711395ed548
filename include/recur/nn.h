// recur: parameter initialisation and the basic layers (Linear, Embedding, Dropout).
#ifndef RECUR_NN_H
#define RECUR_NN_H

#include "ops.h"

#endif
