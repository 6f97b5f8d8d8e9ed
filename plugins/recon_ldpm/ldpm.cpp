// Plugin recon ldpm (issue "LDPM", arXiv 2411.02951): the sketch-guided two-step reconstruction
// with a latent diffusion prior. Per slice of single-coil k-space y:
//   1. x_zf = |F^-1 y| / s  (s: the zero-filled volume's maximum, the scale the networks trained at)
//   2. sketch = sketch network (x_zf), or the magnitude of another registered method (sketch=NAME)
//   3. the Dual-Stage Sampler from the sketch's latent, data consistency with y / s in stage B
//   4. x = s * sampled image (or s * sketch with output=sketch, the "sketch only" ablation)
// Images are zero-padded to the networks' multiple and cropped back; DC acts on the measured
// centre. Weights: a folder with vae.pt, sketch.pt and unet.pt (mri train-vae / train-sketch /
// train-ldm); default resources/models/ldpm-colin27.
#include <filesystem>
#include <numeric>

#include "core/common/bundled_models.h"
#include "core/common/error.h"
#include "core/mri/diffusion/dual_stage_sampler.h"
#include "core/mri/diffusion/sketch.h"
#include "core/mri/fft.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/simulate.h"

namespace {

using namespace qs::mri;

struct Networks {
  Vae vae{nullptr};
  LatentUnet sketch{nullptr}, unet{nullptr};
  int64_t multiple = 1;
};

Networks load_networks(const std::string& folder, const at::Device& device) {
  namespace fs = std::filesystem;
  for (const char* f : {"vae.pt", "sketch.pt", "unet.pt"})
    if (!fs::exists(fs::path(folder) / f))
      qs::fail(qs::ErrorKind::kIo, "ldpm: '" + (fs::path(folder) / f).string() +
                                             "' is missing; train the networks with `quantiscope mri train-vae`, `train-sketch` and `train-ldm`, or set weights=FOLDER");
  Networks n;
  n.vae = load_vae((fs::path(folder) / "vae.pt").string());
  n.sketch = load_unet((fs::path(folder) / "sketch.pt").string());
  n.unet = load_unet((fs::path(folder) / "unet.pt").string());
  if (n.sketch->config().conditioned || n.sketch->config().latent_channels != 1) qs::fail_format("ldpm: '" + folder + "/sketch.pt' is not a sketch network (" + describe(n.sketch->config()) + ")");
  if (!n.unet->config().conditioned || n.unet->config().latent_channels != n.vae->config().latent_channels)
    qs::fail_format("ldpm: '" + folder + "/unet.pt' (" + describe(n.unet->config()) + ") does not denoise this VAE's " + std::to_string(n.vae->config().latent_channels) + "-channel latents");
  n.multiple = std::lcm(n.vae->config().downsampling() * n.unet->config().downsampling(), n.sketch->config().downsampling());
  for (torch::nn::Module* m : {static_cast<torch::nn::Module*>(n.vae.get()), static_cast<torch::nn::Module*>(n.sketch.get()), static_cast<torch::nn::Module*>(n.unet.get())}) {
    m->to(device);
    m->eval();
  }
  return n;
}

DcMode dc_mode(const std::string& s) {
  if (s == "hard") return DcMode::kHard;
  if (s == "soft") return DcMode::kSoft;
  if (s == "none") return DcMode::kNone;
  qs::fail(qs::ErrorKind::kInvalidArgument, "ldpm: dc must be hard, soft or none, not '" + s + "'");
}

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

class Ldpm : public ReconMethod {
 public:
  std::vector<OptionInfo> options() const override {
    return {{"weights", "", "folder with vae.pt, sketch.pt, unet.pt (default: the shipped ldpm-colin27)"},
            {"steps", "50", "sampling steps (respaced from 1000)"},
            {"switch", "-1", "stage B (data consistency) from this step index down (-1: half the steps)"},
            {"dc", "hard", "data consistency in stage B: hard, soft or none"},
            {"dc-every", "1", "data consistency every K steps"},
            {"dc-weight", "1", "blend of the consistent latent (0..1)"},
            {"eta", "0.5", "soft data-consistency step"},
            {"start", "condition", "start from the noised sketch latent (condition) or pure noise (noise)"},
            {"final-dc", "0", "weight of a last data-consistency step in pixel space (1: hard, 0: none; tuned on training slices)"},
            {"sketch", "network", "the fidelity step: the sketch network, or a registered method's result"},
            {"output", "ldpm", "ldpm, or sketch (the fidelity step alone)"},
            {"seed", "0", "sampler seed"},
            {"scale", "0", "intensity scale (0: the zero-filled volume's maximum)"}};
  }

  at::Tensor reconstruct(const ReconProblem& p, const ReconOptions& o, const qs::ProgressFn& progress, const qs::CancelToken& cancel) const override {
    if (p.multicoil || p.kspace.size(1) != 1) qs::fail(qs::ErrorKind::kUnsupported, "ldpm: single-coil k-space only (its networks see one magnitude channel)");
    const std::string output = o.text("output", "ldpm"), sketch_method = o.text("sketch", "network");
    if (output != "ldpm" && output != "sketch") qs::fail(qs::ErrorKind::kInvalidArgument, "ldpm: output must be ldpm or sketch");
    DualStageOptions d;
    d.steps = o.integer("steps", 50);
    d.switch_index = o.integer("switch", -1);
    d.dc = dc_mode(o.text("dc", "hard"));
    d.dc_every = o.integer("dc-every", 1);
    d.dc_weight = o.number_at_least("dc-weight", 1, 0);
    d.soft_eta = o.number_at_least("eta", 0.5, 0);
    const std::string start = o.text("start", "condition");
    if (start != "condition" && start != "noise") qs::fail(qs::ErrorKind::kInvalidArgument, "ldpm: start must be condition or noise");
    d.start_from_condition = start == "condition";
    // 0 by default: on Colin27's training slices a final hard step gained 0.5 dB PSNR and lost
    // 0.12 SSIM at 8x (resources/models/ldpm-colin27/run/eval/sampler-tuning.md).
    d.final_dc = o.number_at_least("final-dc", 0.0, 0.0);
    d.seed = uint64_t(o.integer("seed", 0));
    if (d.steps < 1 || d.steps > 1000) qs::fail(qs::ErrorKind::kInvalidArgument, "ldpm: steps must be 1..1000");
    std::string folder = o.text("weights", "");
    if (folder.empty()) folder = qs::resources_root() + "/models/ldpm-colin27";
    Networks n = load_networks(folder, p.kspace.device());
    const NoiseSchedule base = linear_schedule(1000);

    torch::NoGradGuard no_grad;
    const int64_t S = p.kspace.size(0), h = p.kspace.size(2), w = p.kspace.size(3);
    const int64_t H = round_up(h, n.multiple), W = round_up(w, n.multiple);
    const at::Tensor zf = at::abs(ifft2c(p.kspace.select(1, 0)));  // (S, h, w)
    double scale = o.number_at_least("scale", 0, 0);
    if (scale == 0) scale = zf.max().item<double>();
    if (!(scale > 0)) qs::fail(qs::ErrorKind::kInvalidArgument, "ldpm: the k-space is empty (zero-filled maximum 0)");
    const at::Tensor mask = p.mask.to(at::kFloat);
    at::Tensor method_sketch;
    if (sketch_method != "network") {
      if (sketch_method == "ldpm") qs::fail(qs::ErrorKind::kInvalidArgument, "ldpm: the sketch cannot be ldpm itself");
      method_sketch = at::abs(run_recon(sketch_method, p, ReconOptions(), nullptr, cancel)).to(at::kFloat);
    }
    const int64_t per_slice = output == "sketch" ? 1 : d.steps;
    std::vector<at::Tensor> out;
    for (int64_t s = 0; s < S; ++s) {
      cancel.check();
      const at::Tensor x_zf = center_crop_or_pad(zf[s] / scale, H, W).view({1, 1, H, W}).to(at::kFloat);
      const at::Tensor sketch = method_sketch.defined() ? center_crop_or_pad(method_sketch[s] / scale, H, W).view({1, 1, H, W}) : apply_sketch(n.sketch, x_zf);
      at::Tensor x;
      if (output == "sketch") {
        x = sketch;
      } else {
        const auto step_progress = [&](long long done, long long) {
          if (progress) progress(s * per_slice + done, S * per_slice);
        };
        x = dual_stage_sample(n.vae, n.unet, base, sketch, (p.kspace[s][0] / scale).unsqueeze(0), mask.unsqueeze(0), d, step_progress, cancel);
      }
      out.push_back(center_crop(x[0][0], h, w).clamp_min(0) * scale);
      if (progress && output == "sketch") progress(s + 1, S);
    }
    return at::stack(out);
  }
};

const bool registered = [] {
  qs::mri::recon_registry().add("ldpm", "sketch-guided latent diffusion prior with the Dual-Stage Sampler (needs trained networks)",
                                [] { return std::make_unique<Ldpm>(); });
  return true;
}();

}  // namespace
