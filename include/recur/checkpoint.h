// recur: saving and loading parameters and optimizer state as safetensors.
#ifndef RECUR_CHECKPOINT_H
#define RECUR_CHECKPOINT_H

#include "graph.h"

#endif
