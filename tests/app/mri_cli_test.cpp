// `quantiscope mri ...` end to end on real volumes, and the hostile inputs of the MRI issue:
// each gives a clear message and a non-zero exit, and nothing existing is overwritten
// without --force.
#include <gtest/gtest.h>

#include <H5Cpp.h>

#include <cmath>
#include <algorithm>
#include <filesystem>

#include "core/mri/diffusion/latent_unet.h"
#include "core/mri/diffusion/vae.h"
#include "core/mri/io/cfl.h"
#include "core/mri/io/volume_io.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

using test::asset;
using test::run_cli;

std::string epi() { return asset("mri/nibabel/example4d.nii.gz"); }

void expect_failure(const test::CommandResult& r, const std::string& needle) {
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(r.err.find("frame #"), std::string::npos) << "backtrace leaked: " << r.err;
}

TEST(MriCli, SimulateReconEvalRoundTrip) {
  test::TempDir dir;
  auto sim = run_cli({"mri", "simulate", epi(), "--slices", "8:12", "--out", dir.file("k.h5")});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  auto info = run_cli({"mri", "info", dir.file("k.h5")});
  EXPECT_NE(info.out.find("single-coil"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("4 x 1 x 96 x 128"), std::string::npos) << info.out;
  auto tv = run_cli({"mri", "recon", "--method", "cs-tv", "--kspace", dir.file("k.h5"), "--mask-type", "random", "--accel", "4", "--iters", "20",
                     "--out", dir.file("tv.nii.gz")});
  ASSERT_EQ(tv.exit_code, 0) << tv.err;
  EXPECT_NE(tv.out.find("PSNR"), std::string::npos);  // the file carries its target
  auto ev = run_cli({"mri", "eval", "--target", dir.file("k.h5"), "--pred", dir.file("tv.nii.gz"), "--per-slice", "--csv", dir.file("m.csv")});
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  double nmse = 0, psnr = 0, ssim = 0;
  ASSERT_EQ(std::sscanf(ev.out.substr(ev.out.find("volume:")).c_str(), "volume: NMSE %lf PSNR %lf dB SSIM %lf", &nmse, &psnr, &ssim), 3) << ev.out;
  EXPECT_GT(psnr, 25);
  EXPECT_GT(ssim, 0.5);
  EXPECT_NE(test::read_text(dir.file("m.csv")).find("volume,"), std::string::npos);
  auto png = run_cli({"mri", "recon", "--kspace", dir.file("k.h5"), "--mask-type", "equispaced", "--accel", "8", "--out", dir.file("zf.png"), "--window", "0:800"});
  EXPECT_EQ(png.exit_code, 0) << png.err;
  EXPECT_GT(std::filesystem::file_size(dir.file("zf.png")), 1000u);
}

TEST(MriCli, CompareWritesOneRowPerMethodMaskAndAcceleration) {
  test::TempDir dir;
  auto r = run_cli({"mri", "compare", epi(), "--slices", "10:12", "--iters", "5", "--csv", dir.file("t.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string csv = test::read_text(dir.file("t.csv"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 * 2 * 2) << csv;
  for (const char* m : {"zero-filled", "cs-wavelet", "cs-tv", "random", "equispaced"}) EXPECT_NE(r.out.find(m), std::string::npos) << m;
}

TEST(MriCli, MaskReportsItsSampling) {
  auto r = run_cli({"mri", "mask", "--type", "equispaced", "--accel", "4", "--shape", "640x368"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("368 columns"), std::string::npos) << r.out;
}

TEST(MriCli, MissingAndUnreadableFiles) {
  test::TempDir dir;
  expect_failure(run_cli({"mri", "info", dir.file("absent.nii.gz")}), "does not exist");
  const std::string junk = dir.write("junk.nii", std::string(4096, 'j'));
  auto r = run_cli({"mri", "simulate", junk, "--out", dir.file("k.h5")});
  expect_failure(r, "junk.nii");
  EXPECT_FALSE(std::filesystem::exists(dir.file("k.h5")));
  expect_failure(run_cli({"mri", "recon", "--kspace", epi(), "--mask-type", "random", "--out", dir.file("x.nii")}), "not an HDF5 file");
}

TEST(MriCli, WrongHdf5Layouts) {
  test::TempDir dir;
  {
    H5::H5File f(dir.file("float.h5"), H5F_ACC_TRUNC);
    hsize_t dims[3] = {2, 8, 8};
    std::vector<float> data(128, 1.f);
    f.createDataSet("kspace", H5::PredType::NATIVE_FLOAT, H5::DataSpace(3, dims)).write(data.data(), H5::PredType::NATIVE_FLOAT);
  }
  expect_failure(run_cli({"mri", "recon", "--kspace", dir.file("float.h5"), "--mask-type", "random", "--out", dir.file("x.nii")}), "not complex");
  ASSERT_EQ(run_cli({"mri", "mask", "--shape", "8x8", "--out", dir.file("mask.h5")}).exit_code, 0);
  expect_failure(run_cli({"mri", "recon", "--kspace", dir.file("mask.h5"), "--mask-type", "random", "--out", dir.file("x.nii")}), "no 'kspace'");
}

TEST(MriCli, TwoDimensionalFileWhereAVolumeIsNeeded) {
  test::TempDir dir;
  const std::string png = "/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySliceBorder20.png";
  expect_failure(run_cli({"mri", "simulate", png, "--slices", "3:6", "--out", dir.file("k.h5")}), "outside the volume's 1 slices");
  expect_failure(run_cli({"mri", "eval", "--target", epi(), "--pred", png}), "target is 24 x 96 x 128 but prediction is 1 x");
}

TEST(MriCli, NonFiniteData) {
  test::TempDir dir;
  mri::Volume v = mri::read_volume(epi());
  v.data = v.data.slice(0, 0, 3).clone();
  v.data[1][10][10] = std::nanf("");
  mri::write_volume(dir.file("nan.nii.gz"), v);
  expect_failure(run_cli({"mri", "simulate", dir.file("nan.nii.gz"), "--out", dir.file("k.h5")}), "NaN/Inf");
  at::Tensor k = at::ones({2, 16, 16}, at::kComplexFloat);
  k[0][3][3] = c10::complex<float>(INFINITY, 0);
  mri::write_cfl(dir.file("inf"), k);
  expect_failure(run_cli({"mri", "recon", "--kspace", dir.file("inf.cfl"), "--mask-type", "random", "--out", dir.file("x.cfl")}), "NaN/Inf");
}

TEST(MriCli, MaskAndKspaceSizesMustAgree) {
  test::TempDir dir;
  ASSERT_EQ(run_cli({"mri", "simulate", epi(), "--slices", "8:9", "--out", dir.file("k.h5")}).exit_code, 0);
  ASSERT_EQ(run_cli({"mri", "mask", "--shape", "96x64", "--out", dir.file("m.h5")}).exit_code, 0);
  expect_failure(run_cli({"mri", "recon", "--kspace", dir.file("k.h5"), "--mask", dir.file("m.h5"), "--out", dir.file("x.nii")}),
                 "mask has 64 columns but k-space has W = 128");
}

TEST(MriCli, NothingIsOverwrittenWithoutForce) {
  test::TempDir dir;
  ASSERT_EQ(run_cli({"mri", "simulate", epi(), "--slices", "8:9", "--out", dir.file("k.h5")}).exit_code, 0);
  const std::string precious = "user data, keep";
  const std::vector<std::vector<std::string>> commands = {
      {"mri", "simulate", epi(), "--slices", "8:9", "--out", dir.file("p.h5")},
      {"mri", "mask", "--shape", "8x8", "--out", dir.file("p.h5")},
      {"mri", "recon", "--kspace", dir.file("k.h5"), "--mask-type", "random", "--out", dir.file("p.h5")},
      {"mri", "eval", "--target", dir.file("k.h5"), "--pred", dir.file("k.h5"), "--csv", dir.file("p.h5")},
      {"mri", "compare", dir.file("k.h5"), "--methods", "zero-filled", "--csv", dir.file("p.h5")},
  };
  for (const auto& cmd : commands) {
    dir.write("p.h5", precious);
    expect_failure(run_cli(cmd), "pass --force");
    EXPECT_EQ(test::read_text(dir.file("p.h5")), precious) << cmd[1];
    auto forced = cmd;
    forced.push_back("--force");
    EXPECT_EQ(run_cli(forced).exit_code, 0) << cmd[1];
    EXPECT_NE(test::read_text(dir.file("p.h5")), precious) << cmd[1];
  }
}

}  // namespace
}  // namespace qs

namespace qs {
namespace {

// mri train-vae on Colin27 with the committed split: a few CPU steps write the weights (which load
// as a VAE), the checkpoint and the curve; a second run without --resume is refused.
TEST(MriCli, TrainVaeWritesLoadableWeights) {
  const char* colin = "/usr/share/mricron/templates/ch2better.nii.gz";
  if (!std::filesystem::exists(colin)) GTEST_SKIP() << colin << " is missing (mricron-data)";
  test::TempDir dir;
  const std::vector<std::string> args = {"mri", "train-vae", colin, "--split", std::string(QS_RESOURCES_DIR) + "/mri/colin27-split.json", "--out", dir.file("vae"),
                                         "--steps", "3", "--batch", "2", "--crop", "32", "--base", "8", "--latent", "2", "--eval-every", "3"};
  auto r = test::run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("held-out round trip PSNR"), std::string::npos) << r.out;
  for (const char* f : {"vae/vae.pt", "vae/checkpoint.pt", "vae/loss.csv"}) EXPECT_TRUE(std::filesystem::exists(dir.file(f))) << f;
  EXPECT_EQ(qs::mri::load_vae(dir.file("vae/vae.pt"))->config().latent_channels, 2);
  auto again = test::run_cli(args);
  EXPECT_EQ(again.exit_code, 2) << again.err;
  auto bad = test::run_cli({"mri", "train-vae", colin, "--split", dir.file("vae/loss.csv"), "--out", dir.file("x")});
  EXPECT_EQ(bad.exit_code, 4) << bad.err;  // not a split file

  // The round trip of the trained VAE on two held-out slices, as the GPU script scores both VAEs.
  auto round_trip = test::run_cli({"mri", "eval-vae", colin, "--vae", dir.file("vae/vae.pt"), "--slices", "150:152"});
  ASSERT_EQ(round_trip.exit_code, 0) << round_trip.err;
  EXPECT_NE(round_trip.out.find("| PSNR dB | SSIM |"), std::string::npos) << round_trip.out;
  EXPECT_NE(round_trip.out.find("| 2 |"), std::string::npos) << round_trip.out;
  EXPECT_EQ(test::run_cli({"mri", "eval-vae", colin, "--vae", dir.file("vae/loss.csv")}).exit_code, 4);  // not a weight file

  // --max-minutes ends a run of far more steps early, as a finished one: weights saved, exit 0.
  std::vector<std::string> timed = args;
  timed[std::find(timed.begin(), timed.end(), "--steps") - timed.begin() + 1] = "100000000";
  timed.insert(timed.end(), {"--max-minutes", "0.01", "--force", "--aug-contrast", "0.3", "--aug-bias", "0.2", "--aug-deform", "2", "--aug-noise", "0.01"});
  auto stopped = test::run_cli(timed);
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.out.find("stopped by --max-minutes at step"), std::string::npos) << stopped.out;
  EXPECT_NE(stopped.out.find("steps/s"), std::string::npos) << stopped.out;
  EXPECT_TRUE(std::filesystem::exists(dir.file("vae/vae.pt")));
}

// A head volume to a compressed fastMRI .h5 (how Colin27 travels to the GPU machine) and back,
// equal voxel for voxel; an existing output is kept without --force.
TEST(MriCli, ConvertWritesACompressedH5ThatReadsBackEqual) {
  const char* colin = "/usr/share/mricron/templates/ch2better.nii.gz";
  if (!std::filesystem::exists(colin)) GTEST_SKIP() << colin << " is missing (mricron-data)";
  test::TempDir dir;
  auto r = test::run_cli({"mri", "convert", colin, dir.file("slab.h5"), "--slices", "150:160"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const at::Tensor back = qs::mri::read_volume(dir.file("slab.h5")).data;
  const at::Tensor want = qs::mri::read_volume(colin).data.narrow(0, 150, 10).to(at::kFloat);
  ASSERT_EQ(back.sizes(), want.sizes());
  EXPECT_TRUE(at::equal(back, want));
  EXPECT_LT(std::filesystem::file_size(dir.file("slab.h5")), size_t(want.numel()) * 4 / 3);  // deflated
  EXPECT_EQ(test::run_cli({"mri", "convert", colin, dir.file("slab.h5"), "--slices", "150:160"}).exit_code, 2);
}

// The three trainings chained as the GPU script runs them, with tiny networks: each writes its
// weights and curve, train-ldm reads the other two, and train-ldm without them says what it needs.
TEST(MriCli, TrainSketchAndLdmChainOnTheVae) {
  const char* colin = "/usr/share/mricron/templates/ch2better.nii.gz";
  if (!std::filesystem::exists(colin)) GTEST_SKIP() << colin << " is missing (mricron-data)";
  test::TempDir dir;
  const std::string split = std::string(QS_RESOURCES_DIR) + "/mri/colin27-split.json";
  const std::vector<std::string> common = {colin, "--split", split, "--steps", "2", "--batch", "2", "--crop", "32", "--base", "8", "--eval-every", "2"};
  auto run = [&](std::vector<std::string> head, std::vector<std::string> tail) {
    head.insert(head.end(), common.begin(), common.end());
    head.insert(head.end(), tail.begin(), tail.end());
    return test::run_cli(head);
  };
  auto vae = run({"mri", "train-vae"}, {"--out", dir.file("vae"), "--latent", "2"});
  ASSERT_EQ(vae.exit_code, 0) << vae.err;
  EXPECT_NE(vae.out.find("latent scale"), std::string::npos) << vae.out;
  auto sketch = run({"mri", "train-sketch"}, {"--out", dir.file("sketch"), "--levels", "2"});
  ASSERT_EQ(sketch.exit_code, 0) << sketch.err;
  EXPECT_NE(sketch.out.find("zero-filled"), std::string::npos) << sketch.out;
  auto missing = run({"mri", "train-ldm"}, {"--out", dir.file("ldm")});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("--vae"), std::string::npos) << missing.err;
  auto ldm = run({"mri", "train-ldm"}, {"--out", dir.file("ldm"), "--levels", "2", "--vae", dir.file("vae/vae.pt"), "--sketch", dir.file("sketch/sketch.pt")});
  ASSERT_EQ(ldm.exit_code, 0) << ldm.err;
  EXPECT_NE(ldm.out.find("held-out eps loss"), std::string::npos) << ldm.out;
  EXPECT_EQ(qs::mri::load_unet(dir.file("ldm/unet.pt"))->config().latent_channels, 2);
  EXPECT_TRUE(qs::mri::load_unet(dir.file("ldm/unet.pt"))->config().conditioned);
  const std::string curve = test::read_text(dir.file("sketch/loss.csv"));
  EXPECT_EQ(curve.substr(0, curve.find('\n')), "step,loss,heldout_zf_psnr,heldout_sketch_psnr,heldout_sketch_ssim");
}

}  // namespace
}  // namespace qs
