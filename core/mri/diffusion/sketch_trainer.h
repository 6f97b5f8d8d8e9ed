// Training LDPM's sketch network (issue "LDPM"; `quantiscope mri train-sketch`): SliceTrainer's
// crops, each undersampled with a mask drawn from the choices (type, acceleration, seed from the
// step's generator), loss L1(sketch(x_zf), x). Evaluation on the held-out slices with one fixed
// mask: fastMRI's per-volume metrics of the zero-filled input and of the sketch.
#pragma once
#include <memory>
#include <vector>

#include "core/mri/diffusion/sketch.h"
#include "core/mri/diffusion/slice_trainer.h"
#include "core/mri/metrics.h"

namespace qs::mri {

struct SketchEvaluation {
  VolumeMetrics zero_filled, sketch;
};

class SketchTrainer : public NetworkTrainer {
 public:
  SketchTrainer(const UnetConfig& config, const SliceTrainOptions& options, std::vector<MaskSpec> choices, const at::Tensor& slices, std::vector<int64_t> train,
                std::vector<int64_t> heldout);
  ~SketchTrainer();
  SketchEvaluation evaluate(const MaskSpec& mask) const;
  LatentUnet& net() { return net_; }

 private:
  LatentUnet net_{nullptr};
};

}  // namespace qs::mri
