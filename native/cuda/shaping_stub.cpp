// Stands in for the CUDA kernels in builds without a CUDA compiler.
#include "native/cuda/shaping_cuda.h"

namespace rapport {

bool shape_batch_cuda(const ShapingBatch&, ShapingBatchOut&, const ShapingConfig&, std::string* error) {
  if (error) *error = "rapport was built without CUDA (no nvcc found at configure time)";
  return false;
}

bool shape_batch_tokens_cuda(const ShapingBatch& in, ShapingBatchOut& out, std::vector<double>&, const ShapingConfig& cfg,
                             std::string* error) {
  return shape_batch_cuda(in, out, cfg, error);
}

}  // namespace rapport
