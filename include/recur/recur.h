// recur: reverse-mode automatic differentiation over dynamic graphs, for sequence and text
// models. Include this one header to get the whole public API.
#ifndef RECUR_H
#define RECUR_H

#include "autograd.h"
#include "base.h"
#include "cells.h"
#include "checkpoint.h"
#include "dist.h"
#include "embed.h"
#include "graph.h"
#include "lm.h"
#include "nn.h"
#include "op.h"
#include "ops.h"
#include "optim.h"
#include "plugin.h"
#include "regularize.h"
#include "rnn.h"
#include "tasks.h"
#include "text.h"

#endif
