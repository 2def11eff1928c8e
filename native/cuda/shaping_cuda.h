// shape_batch (core/shaping.h) on a CUDA device: the same contract and the same arithmetic, for
// trainers that hold very large batches. Callers need no CUDA headers.
#pragma once

#include <string>

#include "core/shaping.h"

namespace rapport {

// Shapes every group of the batch on the current CUDA device; out is resized. Returns false, with
// a message in *error when error is not null, when no device is usable, the batch is malformed
// or a CUDA call fails. Results equal shape_batch's, except that EM credits may differ where the
// device's exp() and the host's differ in the last bit right at a 4-decimal rounding boundary.
bool shape_batch_cuda(const ShapingBatch& in, ShapingBatchOut& out, const ShapingConfig& cfg, std::string* error);

}  // namespace rapport
