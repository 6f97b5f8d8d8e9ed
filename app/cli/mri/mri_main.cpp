// `quantiscope mri ...`: the MRI engine from the command line.
#include <cstring>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/mri/mri_common.h"
#include "core/mri/recon/recon_method.h"

namespace qs::cli {

namespace {

void mri_usage() {
  std::cout << "usage: quantiscope mri SUBCOMMAND [options]\n\n"
               "  info VOL [--time T]                      format, size, spacing, orientation, k-space layout\n"
               "  simulate VOL --out K.h5|K.cfl [--coils N] [--phase] [--slices A:B] [--crop HxW] [--time T] [--seed S]\n"
               "  mask --type random|equispaced|gaussian2d --accel R [--center F] [--seed S]\n"
               "       [--shape HxW (default 640x368) | --like K.h5] [--out M.h5|M.cfl|M.png]\n"
               "  recon --method M --kspace K [--mask M | --mask-type T --accel R [--center F] [--seed S]]\n"
               "        --out OUT.nii.gz|.h5|.cfl|.png [--lambda L] [--iters N] [--rho P] [-o NAME=VALUE]\n"
               "        [--slices A:B] [--crop HxW] [--device cpu|cuda]\n"
               "  eval --target T --pred P [--csv F] [--crop HxW] [--per-slice]\n"
               "  convert IN OUT [--slices A:B] [--time T]    between NIfTI/MHA/NRRD, fastMRI .h5 (compressed), .cfl, .png\n"
               "  compare VOL|K.h5 [--methods a,b] [--accels 4,8] [--masks random,equispaced] [--slices A:B]\n"
               "        [--crop HxW] [--coils N] [--iters N] [--lambda L] [-o METHOD.NAME=VALUE] [--csv F] [--device cpu|cuda]\n"
               "  train-vae VOL --split SPLIT.json --out DIR [--steps N] [--batch B] [--crop C] [--lr X] [--kl W] [--ssim W]\n"
               "        [--kspace W] [--base C] [--latent C] [--seed S] [--resume] [--device cpu|cuda]   LDPM's VAE on the split's training slices\n"
               "  eval-vae VOL --vae vae.pt [--slices A:B] [--device cpu|cuda]   a VAE's round-trip PSNR/SSIM on these slices\n"
               "  train-sketch VOL --split SPLIT.json --out DIR [--masks random,equispaced] [--accels 4,8] [--base C] [--levels N]\n"
               "        [--eval-accel R] [--steps N] [--batch B] [--crop C] [--lr X] [--resume]   LDPM's zero-filled -> sketch network\n"
               "  train-ldm VOL --split SPLIT.json --out DIR --vae vae.pt --sketch sketch.pt [--masks ..] [--accels ..] [--base C]\n"
               "        [--levels N] [--steps N] [--batch B] [--crop C] [--lr X] [--resume]   LDPM's sketch-conditioned latent denoiser\n"
               "  (the three train-* also take --eval-every N, --max-minutes M (stop there, weights saved) and the\n"
               "   augmentations --aug-contrast X --aug-bias X --aug-deform PIXELS --aug-noise SIGMA, all off by default)\n\n"
               "Writing over an existing file needs --force. Methods:";
  for (const auto& m : qs::mri::recon_methods()) std::cout << " " << m;
  std::cout << "\n";
}

}  // namespace

int cmd_mri(int argc, char** argv) {
  if (argc < 3 || !std::strcmp(argv[2], "--help") || !std::strcmp(argv[2], "-h")) {
    mri_usage();
    return argc < 3 ? 2 : 0;
  }
  const std::string sub = argv[2];
  for (int i = 3; i < argc; ++i)  // `mri recon --help`: the usage, which lists every subcommand's options
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      mri_usage();
      return 0;
    }
  if (sub == "info") return mri::cmd_info(argc, argv);
  if (sub == "simulate") return mri::cmd_simulate(argc, argv);
  if (sub == "mask") return mri::cmd_mask(argc, argv);
  if (sub == "recon") return mri::cmd_recon(argc, argv);
  if (sub == "eval") return mri::cmd_eval(argc, argv);
  if (sub == "compare") return mri::cmd_compare(argc, argv);
  if (sub == "convert") return mri::cmd_convert(argc, argv);
  if (sub == "train-vae") return mri::cmd_train_vae(argc, argv);
  if (sub == "eval-vae") return mri::cmd_eval_vae(argc, argv);
  if (sub == "train-sketch") return mri::cmd_train_sketch(argc, argv);
  if (sub == "train-ldm") return mri::cmd_train_ldm(argc, argv);
  std::cerr << "error: unknown mri subcommand '" << sub << "' (see quantiscope mri --help)\n";
  return 2;
}

}  // namespace qs::cli
