// recur: optimizers over a parameter store, gradient clipping and learning-rate schedules.
#ifndef RECUR_OPTIM_H
#define RECUR_OPTIM_H

#include "graph.h"

#endif
