// recur: reverse-mode automatic differentiation over dynamic graphs, for sequence and text
// models. Include this one header to get the whole public API.
#ifndef RECUR_H
#define RECUR_H

#include "base.h"
#include "graph.h"
#include "op.h"
#include "ops.h"
#include "autograd.h"
#include "nn.h"
#include "optim.h"
#include "checkpoint.h"
#include "rnn.h"
#include "cells.h"
#include "regularize.h"
#include "text.h"
#include "embed.h"

#endif
