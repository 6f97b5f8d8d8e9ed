// Hostile inputs end to end (issue "Hardening"): each is built here, run under a time and
// address-space limit, and must end with the README's exit code, a message naming the problem,
// and no file left behind. FIFOs would block in open(); lying headers must not divide by zero.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "tests/support/test_support.h"

namespace qs {
namespace {

using test::asset;
using test::run_cli_limited;

std::string stories() { return asset("llm/stories260K/stories260K.gguf"); }
std::string text() { return asset("eval/tinystories/TinyStories-valid.head.txt"); }

std::string make_fifo(const test::TempDir& dir, const std::string& name) {
  const std::string p = dir.file(name);
  EXPECT_EQ(::mkfifo(p.c_str(), 0600), 0) << std::strerror(errno);
  return p;
}

void expect_clean_refusal(const test::CommandResult& r, int code, const std::string& says, const std::string& what) {
  EXPECT_EQ(r.exit_code, code) << what << "\n" << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << what << "\n" << r.err;
}

TEST(HostileInputs, FifosAreRefusedInsteadOfBlocking) {
  test::TempDir dir;
  const std::string fifo = make_fifo(dir, "pipe");
  expect_clean_refusal(run_cli_limited({"generate", "-m", fifo, "-n", "2"}, 30), 3, "is a FIFO", "model");
  expect_clean_refusal(run_cli_limited({"ppl", "-m", stories(), "-f", fifo, "--ctx", "32"}, 30), 3, "is a FIFO", "text");
  expect_clean_refusal(run_cli_limited({"generate", "-m", asset("llm/stories260K/stories260K.bin"), "-z", fifo, "-n", "2"}, 30), 3, "is a FIFO", "tokenizer");
  expect_clean_refusal(run_cli_limited({"mri", "info", fifo}, 30), 3, "is a FIFO", "volume");
  const std::string h5 = make_fifo(dir, "k.h5");
  expect_clean_refusal(run_cli_limited({"mri", "info", h5}, 30), 3, "is a FIFO", "fastMRI file");
  std::filesystem::create_directory(dir.file("dicom"));
  ASSERT_EQ(::mkfifo(dir.file("dicom/IM0001").c_str(), 0600), 0);
  expect_clean_refusal(run_cli_limited({"mri", "info", dir.file("dicom")}, 30), 3, "holds 'IM0001', which is a FIFO", "DICOM folder");
}

TEST(HostileInputs, ZeroAndNegativeWindowsAreRefusedNotDividedBy) {
  test::TempDir dir;
  const std::string calib = dir.write("calib.txt", test::read_text(asset("eval/gsm8k/test.jsonl")).substr(0, 4000));
  for (const char* ctx : {"0", "1", "-5"}) {
    const std::string out = dir.file(std::string("r") + ctx + ".qsreorder");
    expect_clean_refusal(run_cli_limited({"calibrate", "-m", stories(), "--data", calib, "--ctx", ctx, "--out", out}, 60), 2, "--ctx must be at least 2", "calibrate --ctx");
    EXPECT_FALSE(std::filesystem::exists(out)) << ctx;
    expect_clean_refusal(run_cli_limited({"kv-analyze", "-m", stories(), "--data", calib, "--ctx", ctx}, 60), 2, "--ctx must be at least 2", "kv-analyze --ctx");
  }
  expect_clean_refusal(run_cli_limited({"calibrate", "-m", stories(), "--data", calib, "--tokens", "-3", "--out", dir.file("t.qsreorder")}, 60), 2,
                       "--tokens must not be negative", "calibrate --tokens");
}

// A logit reference whose header makes the window size wrap around 2^64 (it was a SIGFPE).
TEST(HostileInputs, LogitReferenceHeadersThatWrapAreMalformedFiles) {
  test::TempDir dir;
  struct Header {
    uint32_t vocab, ctx;
  };
  for (Header h : {Header{0x80000000u, 0x40000001u}, Header{0xffffffffu, 0xffffffffu}, Header{32000u, 0x7fffffffu}}) {
    std::vector<uint8_t> b(8);
    std::memcpy(b.data(), "QSLOGP01", 8);
    auto put = [&](const void* p, size_t n) { b.insert(b.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n); };
    const uint64_t windows = 1;
    put(&h.vocab, 4), put(&h.ctx, 4), put(&windows, 8);
    b.resize(b.size() + 4096, 0);
    const std::string ref = dir.write("ref.logp", b);
    expect_clean_refusal(run_cli_limited({"kld", "-m", stories(), "-f", text(), "--ctx", "64", "--reference", ref}, 60), 4, "describes windows larger than the file",
                         "vocab " + std::to_string(h.vocab) + " ctx " + std::to_string(h.ctx));
  }
}

}  // namespace
}  // namespace qs

namespace qs {
namespace {

uint32_t crc32_of(const std::vector<uint8_t>& b, size_t from, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = from; i < from + n; ++i) {
    c ^= b[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

void put_be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

// A PNG chunk with its CRC (or a wrong one when `damage`).
void chunk(std::vector<uint8_t>& b, const char* type, const std::vector<uint8_t>& data, bool damage = false) {
  put_be32(b, uint32_t(data.size()));
  const size_t start = b.size();
  b.insert(b.end(), type, type + 4);
  b.insert(b.end(), data.begin(), data.end());
  put_be32(b, crc32_of(b, start, data.size() + 4) ^ (damage ? 1u : 0u));
}

std::vector<uint8_t> png(uint32_t w, uint32_t h, bool damage_ihdr = false, bool end = true) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> ihdr;
  put_be32(ihdr, w), put_be32(ihdr, h);
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});  // 8-bit grey
  chunk(b, "IHDR", ihdr, damage_ihdr);
  // One row of one grey pixel, as a stored (uncompressed) deflate block inside a zlib stream.
  const std::vector<uint8_t> raw = {0, 200};
  std::vector<uint8_t> z = {0x78, 0x01, 0x01, 2, 0, 0xfd, 0xff, 0, 200};
  uint32_t a = 1, s2 = 0;
  for (uint8_t c : raw) a = (a + c) % 65521, s2 = (s2 + a) % 65521;
  put_be32(z, s2 << 16 | a);
  chunk(b, "IDAT", z);
  if (end) chunk(b, "IEND", {});
  return b;
}

std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(HostileInputs, BrokenPngsAreRefusedBeforeLibpngSeesThem) {
  test::TempDir dir;
  const std::vector<uint8_t> sig = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const std::vector<uint8_t> whole = png(1, 1), half(whole.begin(), whole.begin() + 40);
  struct Case {
    std::string name;
    std::vector<uint8_t> bytes;
    int code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"sig.png", sig, 4, "has no PNG IHDR chunk"},
      {"crc.png", png(1, 1, true), 4, "CRC mismatch"},
      {"zero.png", png(0, 0), 4, "claims a 0 x 0 PNG image"},
      {"cut.png", png(1, 1, false, false), 4, "no PNG IEND chunk"},
      {"half.png", half, 4, "truncated"},
  };
  for (const Case& c : cases) expect_clean_refusal(run_cli_limited({"mri", "info", dir.write(c.name, c.bytes)}, 30), c.code, c.says, c.name);
  // A valid 1 x 1 PNG still opens.
  auto ok = run_cli_limited({"mri", "info", dir.write("ok.png", whole)}, 30);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  // 20000^2 pixels from a few hundred bytes: refused against the memory limit, before decoding.
  ::setenv("QUANTISCOPE_MEMORY_LIMIT", "1G", 1);
  auto big = run_cli_limited({"mri", "info", dir.write("big.png", png(20000, 20000))}, 30);
  ::unsetenv("QUANTISCOPE_MEMORY_LIMIT");
  expect_clean_refusal(big, 5, "more than the memory limit of 1.0 GiB", "20000^2 PNG");
}

TEST(HostileInputs, LyingMetaImageHeadersAreRefusedBeforeMetaIoLoops) {
  test::TempDir dir;
  auto mha = [&](const std::string& name, const std::string& header) {
    return dir.write(name, bytes_of(header + "ElementDataFile = LOCAL\n" + std::string(64, '\0')));
  };
  expect_clean_refusal(run_cli_limited({"mri", "info", mha("neg.mha", "ObjectType = Image\nNDims = -3\nDimSize = 4 4 4\nElementType = MET_FLOAT\n")}, 30), 4,
                       "NDims = -3", "NDims -3");
  expect_clean_refusal(run_cli_limited({"mri", "info", mha("count.mha", "NDims = 3\nDimSize = 4 4\nElementType = MET_FLOAT\n")}, 30), 4, "2 DimSize values for NDims = 3",
                       "DimSize count");
  expect_clean_refusal(run_cli_limited({"mri", "info", mha("type.mha", "NDims = 2\nDimSize = 4 4\nElementType = MET_QUATERNION\n")}, 30), 4, "not a MetaImage pixel type",
                       "ElementType");
  ::setenv("QUANTISCOPE_MEMORY_LIMIT", "1G", 1);
  auto big = run_cli_limited({"mri", "info", mha("big.mha", "NDims = 3\nDimSize = 4096 4096 4096\nElementType = MET_UCHAR\n")}, 30);
  ::unsetenv("QUANTISCOPE_MEMORY_LIMIT");
  expect_clean_refusal(big, 5, "more than the memory limit", "4096^3 MetaImage");
  // A pixel count past every integer type (the fuzzer's find: its message was undefined behaviour).
  expect_clean_refusal(run_cli_limited({"mri", "info", mha("huge.mha", "NDims = 3\nDimSize = 2 3333333333333332 2\nElementType = MET_FLOAT\n")}, 30), 5,
                       "(1.333e+16 pixels) needs", "DimSize past int64");
}

TEST(HostileInputs, TruncatedDicomFilesAreRefusedBeforeGdcmAsserts) {
  test::TempDir dir;
  std::vector<uint8_t> preamble(128, 0);
  preamble.insert(preamble.end(), {'D', 'I', 'C', 'M'});
  // (0002,0000) UL group length 4 bytes = 60, then (0002,0010) UI transfer syntax cut short.
  std::vector<uint8_t> cut = preamble;
  cut.insert(cut.end(), {0x02, 0x00, 0x00, 0x00, 'U', 'L', 4, 0, 60, 0, 0, 0, 0x02, 0x00, 0x10, 0x00, 'U', 'I', 20, 0, '1', '.', '2'});
  std::filesystem::create_directory(dir.file("series"));
  test::TempDir other;
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::vector<uint8_t>>>{{"preamble.dcm", preamble}, {"cut.dcm", cut}}) {
    const std::string file = dir.write(name, bytes);
    expect_clean_refusal(run_cli_limited({"mri", "info", file}, 30), 4, "is truncated inside its DICOM file meta header", name);
  }
  other.write("IM0001", cut);
  expect_clean_refusal(run_cli_limited({"mri", "info", other.path()}, 30), 4, "is truncated inside its DICOM file meta header", "DICOM folder");
}

// A NIfTI-1 single file: 4 x 4 x 4 float32 voxels after a 352-byte header, `data` bytes of them.
std::vector<uint8_t> nifti(int16_t ndim, int16_t datatype, int16_t bitpix, float vox_offset, size_t data) {
  std::vector<uint8_t> h(352, 0);
  auto put = [&](size_t off, const void* v, size_t n) { std::memcpy(h.data() + off, v, n); };
  const int32_t size = 348;
  put(0, &size, 4);
  const int16_t dims[8] = {ndim, 4, 4, 4, 1, 1, 1, 1};
  put(40, dims, sizeof dims);
  put(70, &datatype, 2), put(72, &bitpix, 2);
  const float pixdim[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  put(76, pixdim, sizeof pixdim);
  put(108, &vox_offset, 4);
  put(344, "n+1", 4);
  h.resize(352 + data, 0);
  return h;
}

// A decompression bomb: a 512^3 float32 NIfTI of zeros, 512 MiB of voxels in a .nii.gz of about
// half a megabyte. Under a 1 GiB limit it is refused from its header, before any voxel is
// inflated (the 1 MB .nii.gz of 1024^3 zeros took 12.7 GB for `mri info`).
TEST(HostileInputs, CompressedVolumesThatInflatePastTheLimitAreRefusedFromTheHeader) {
  test::TempDir dir;
  const std::string path = dir.file("bomb.nii.gz");
  std::vector<uint8_t> header = nifti(3, 16, 32, 352, 0);
  const int16_t dims[8] = {3, 512, 512, 512, 1, 1, 1, 1};
  std::memcpy(header.data() + 40, dims, sizeof dims);
  gzFile gz = gzopen(path.c_str(), "wb9");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, header.data(), unsigned(header.size())), int(header.size()));
  const std::vector<uint8_t> zeros(1 << 20, 0);
  for (int i = 0; i < 512; ++i) ASSERT_EQ(gzwrite(gz, zeros.data(), unsigned(zeros.size())), int(zeros.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  EXPECT_LT(std::filesystem::file_size(path), 4u << 20);
  ::setenv("QUANTISCOPE_MEMORY_LIMIT", "1G", 1);
  auto r = run_cli_limited({"mri", "info", path}, 60);
  ::unsetenv("QUANTISCOPE_MEMORY_LIMIT");
  expect_clean_refusal(r, 5, "more than the memory limit of 1.0 GiB", "512^3 .nii.gz");
}

TEST(HostileInputs, LyingNiftiAndNrrdHeadersAreRefusedBeforeItkReads) {
  test::TempDir dir;
  const size_t whole = 4 * 4 * 4 * 4;
  auto ok = run_cli_limited({"mri", "info", dir.write("ok.nii", nifti(3, 16, 32, 352, whole))}, 30);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  // Was a silent all-zero volume: the data offset lies past the end of the file.
  expect_clean_refusal(run_cli_limited({"mri", "info", dir.write("offset.nii", nifti(3, 16, 32, 4096, whole))}, 30), 4, "is truncated: its NIfTI header places",
                       "vox_offset past the end");
  expect_clean_refusal(run_cli_limited({"mri", "info", dir.write("short.nii", nifti(3, 16, 32, 352, whole / 2))}, 30), 4, "is truncated", "half the voxels");
  expect_clean_refusal(run_cli_limited({"mri", "info", dir.write("ndim.nii", nifti(9, 16, 32, 352, whole))}, 30), 4, "NIfTI dim[0] of 9", "dim[0] 9");
  expect_clean_refusal(run_cli_limited({"mri", "info", dir.write("bitpix.nii", nifti(3, 16, 8, 352, whole))}, 30), 4, "bitpix of 8 for datatype 16", "bitpix");
  auto nrrd = [&](const std::string& name, const std::string& header, size_t data) {
    std::vector<uint8_t> b = bytes_of("NRRD0004\n" + header + "\n");
    b.resize(b.size() + data, 0);
    return dir.write(name, b);
  };
  const std::string fields = "type: float\nencoding: raw\nendian: little\n";
  auto good = run_cli_limited({"mri", "info", nrrd("ok.nrrd", "dimension: 3\nsizes: 4 4 4\n" + fields, whole)}, 30);
  EXPECT_EQ(good.exit_code, 0) << good.err;
  expect_clean_refusal(run_cli_limited({"mri", "info", nrrd("count.nrrd", "dimension: 3\nsizes: 4 4\n" + fields, whole)}, 30), 4, "2 NRRD sizes for dimension 3", "sizes count");
  expect_clean_refusal(run_cli_limited({"mri", "info", nrrd("neg.nrrd", "dimension: 3\nsizes: 4 -4 4\n" + fields, whole)}, 30), 4, "NRRD size '-4'", "negative size");
  expect_clean_refusal(run_cli_limited({"mri", "info", nrrd("cut.nrrd", "dimension: 3\nsizes: 4 4 4\n" + fields, whole / 2)}, 30), 4, "promises more raw data", "truncated raw");
  expect_clean_refusal(run_cli_limited({"mri", "info", nrrd("type.nrrd", "dimension: 3\nsizes: 4 4 4\ntype: quaternion\nencoding: raw\n", whole)}, 30), 4,
                       "unsupported NRRD type", "type");
}

}  // namespace
}  // namespace qs

namespace qs {
namespace {

std::string epi() { return test::asset("mri/nibabel/example4d.nii.gz"); }

// Options that would allocate without bound, or be read as something else, are refused first.
TEST(HostileInputs, OutOfRangeOptionsAreRefusedBeforeAnyWork) {
  test::TempDir dir;
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"mri", "mask", "--shape", "65536x65536", "--out", dir.file("m.h5")}, 5, "more than the memory limit"},
      {{"mri", "simulate", epi(), "--crop", "65536x65536", "--out", dir.file("k.h5")}, 5, "more than the memory limit"},
      {{"mri", "simulate", epi(), "--coils", "10000", "--out", dir.file("k.h5")}, 2, "--coils must be in 1..128"},
      {{"mri", "simulate", epi(), "--coils", "0", "--out", dir.file("k.h5")}, 2, "--coils must be in 1..128"},
      {{"mri", "info", epi(), "--time", "-1"}, 2, "--time must be in 0.."},
      {{"mri", "mask", "--shape", "64x64", "--center", "-0.1", "--out", dir.file("m.h5")}, 2, "--center must be in 0..1"},
      {{"mri", "mask", "--shape", "64x64", "--accel", "0.5", "--out", dir.file("m.h5")}, 2, "--accel must be in 1..1024"},
      {{"mri", "compare", epi(), "--accels", "4x"}, 2, "--accels expects accelerations of 1 to 1024, got '4x'"},
      {{"generate", "-m", asset("llm/stories260K/stories260K.gguf"), "-n", "-1"}, 2, "--n-predict must be in 0.."},
  };
  for (const Case& c : cases) {
    std::string what;
    for (const auto& s : c.args) what += s + " ";
    expect_clean_refusal(run_cli_limited(c.args, 60), c.code, c.says, what);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.h5")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("k.h5")));
}

}  // namespace
}  // namespace qs

namespace qs {
namespace {

TEST(HostileInputs, LesserCasesGetTheRightExitCode) {
  test::TempDir dir;
  // kv-report: contexts and batches whose byte counts would wrap are refused, never negative.
  auto huge = run_cli_limited({"kv-report", "--random-init", "llama2-7b", "--ctx", "9000000000000", "--batch", "100000"}, 60);
  EXPECT_EQ(huge.exit_code, 2) << huge.out;
  EXPECT_NE(huge.err.find("--ctx must be in 1..2147483648"), std::string::npos) << huge.err;
  auto big = run_cli_limited({"kv-report", "--random-init", "llama2-7b", "--ctx", "2147483648", "--batch", "1048576", "--csv"}, 60);
  EXPECT_EQ(big.out.find(",-"), std::string::npos) << big.out;  // no negative byte count
  EXPECT_NE(big.err.find("would exceed 2^63 bytes"), std::string::npos) << big.err;
  // `mri SUB --help` prints the usage.
  auto help = run_cli_limited({"mri", "recon", "--help"}, 30);
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("usage: quantiscope mri"), std::string::npos);
  // NaN in an input file is a malformed file (4), not a bad argument (2).
  auto sim = run_cli_limited({"mri", "simulate", test::asset("mri/nibabel/example4d.nii.gz"), "--slices", "8:9", "--out", dir.file("k.cfl")}, 60);
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  std::vector<uint8_t> bytes = test::read_bytes(dir.file("k.cfl"));
  const float nan = std::nanf(""), huge_value = 3e38f;
  std::memcpy(bytes.data() + 8 * 40, &nan, 4);
  dir.write("nan.cfl", bytes);
  std::filesystem::copy_file(dir.file("k.hdr"), dir.file("nan.hdr"));
  expect_clean_refusal(run_cli_limited({"mri", "recon", "--kspace", dir.file("nan.cfl"), "--mask-type", "random", "--out", dir.file("r.nii")}, 60), 4, "NaN/Inf", "NaN k-space");
  // Huge finite k-space overflows float32 inside the reconstruction: refused, not an all-NaN image.
  for (size_t i = 0; i + 4 <= bytes.size(); i += 4) std::memcpy(bytes.data() + i, &huge_value, 4);
  dir.write("big.cfl", bytes);
  std::filesystem::copy_file(dir.file("k.hdr"), dir.file("big.hdr"));
  expect_clean_refusal(run_cli_limited({"mri", "recon", "--method", "cs-tv", "--kspace", dir.file("big.cfl"), "--mask-type", "random", "--iters", "3", "--out", dir.file("b.nii")}, 60), 4,
                       "produced NaN/Inf values from finite k-space", "3e38 k-space");
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.nii")));
}

}  // namespace
}  // namespace qs

namespace qs {
namespace {

// Runs sized by options: refused against the memory limit before any allocation.
TEST(HostileInputs, BenchmarksThatCannotFitAreRefusedFirst) {
  ::setenv("QUANTISCOPE_MEMORY_LIMIT", "2G", 1);
  auto seven = run_cli_limited({"bench", "--random-init", "llama2-7b", "--batch", "1", "--prompt-tokens", "16", "--gen-tokens", "4"}, 60);
  auto batch = run_cli_limited({"bench", "--random-init", "stories260k", "--batch", "100000", "--prompt-tokens", "16", "--gen-tokens", "4"}, 60);
  ::unsetenv("QUANTISCOPE_MEMORY_LIMIT");
  expect_clean_refusal(seven, 5, "random-init llama2-7b in 32-bit on the CPU needs", "7B on the CPU");
  expect_clean_refusal(batch, 5, "--batch 100000 at 20 tokens needs", "batch 100000");
}

// Numeric method options are checked when the method reads them, before it iterates.
TEST(HostileInputs, NegativeReconstructionWeightsAndLateOptionsAreRefused) {
  test::TempDir dir;
  ASSERT_EQ(run_cli_limited({"mri", "simulate", test::asset("mri/nibabel/example4d.nii.gz"), "--slices", "8:9", "--out", dir.file("k.h5")}, 60).exit_code, 0);
  for (const char* method : {"cs-tv", "cs-wavelet"})
    expect_clean_refusal(run_cli_limited({"mri", "recon", "--method", method, "--kspace", dir.file("k.h5"), "--mask-type", "random", "--lambda", "-1", "--out", dir.file("r.nii")}, 60), 2,
                         "option lambda=-1 must be at least 0", method);
  // --crop and --window are read before the reconstruction, not after it.
  auto crop = run_cli_limited({"mri", "recon", "--method", "cs-tv", "--kspace", dir.file("k.h5"), "--mask-type", "random", "--crop", "0x5", "--out", dir.file("r.nii")}, 60);
  expect_clean_refusal(crop, 2, "--crop expects HxW", "crop");
  EXPECT_EQ(crop.err.find("iterations"), std::string::npos) << crop.err;  // no progress line: nothing ran
  expect_clean_refusal(run_cli_limited({"mri", "recon", "--kspace", dir.file("k.h5"), "--mask-type", "random", "--window", "5:1", "--out", dir.file("r.png")}, 60), 2,
                       "--window expects LOW:HIGH with HIGH > LOW", "window");
  EXPECT_FALSE(std::filesystem::exists(dir.file("r.nii")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("r.png")));
}

}  // namespace
}  // namespace qs

namespace qs {
namespace {

// Every command, as the README promises: 2 for an unknown option, 3 for a missing input or an
// unwritable output, 4 for a malformed input file, 5 for what this build or machine cannot do.
TEST(HostileInputs, EveryCommandAnswersWithTheReadmeExitCodes) {
  test::TempDir dir;
  const std::string missing = dir.file("no-such-file"), text = asset("eval/tinystories/TinyStories-valid.head.txt");
  const std::string garbage = dir.write("garbage.gguf", std::vector<uint8_t>(4096, 0x5a));
  const std::string garbage_nii = dir.write("garbage.nii", std::vector<uint8_t>(4096, 0x5a));
  const std::string model = asset("llm/stories260K/stories260K.gguf"), volume = asset("mri/nibabel/example4d.nii.gz");
  const std::string unwritable = "/proc/no-such-dir/out";
  struct Case {
    std::vector<std::string> args;
    int code;
  };
  const std::vector<Case> cases = {
      {{"info", model, "--no-such-option"}, 2},
      {{"info", missing}, 3},
      {{"info", garbage}, 4},
      {{"generate", "-m", missing, "-n", "1"}, 3},
      {{"generate", "-m", garbage, "-n", "1"}, 4},
      {{"generate", "-m", model, "-n", "1", "--no-such-option"}, 2},
      {{"chat", "-m", missing}, 3},
      {{"ppl", "-m", model, "-f", missing, "--ctx", "32"}, 3},
      {{"ppl", "-m", garbage, "-f", text, "--ctx", "32"}, 4},
      {{"ppl", "-m", model, "-f", text, "--ctx", "32", "--save-logits", unwritable}, 3},
      {{"kld", "-m", model, "-f", text, "--ctx", "32", "--reference", missing}, 3},
      {{"kld", "-m", model, "-f", text, "--ctx", "32", "--reference", garbage}, 4},
      {{"bench", "-m", missing}, 3},
      {{"bench-decode", "-m", missing, "--device", "cpu"}, 3},
      {{"calibrate", "-m", model, "--data", missing}, 3},
      {{"calibrate", "-m", model, "--data", text, "--out", unwritable}, 3},
      {{"kv-report", "-m", missing}, 3},
      {{"kv-sweep", "--models", missing, "--texts", text}, 3},
      {{"kv-analyze", "-m", model, "--data", missing}, 3},
      {{"train-lm", "--data", missing, "--tokenizer", std::string(QS_SOURCE_DIR) + "/resources/models/qs-ref-tokenizer/tokenizer.model", "--out", dir.file("run")}, 3},
      {{"train-lm", "--data", "/usr/share/common-licenses/GPL-3", "--tokenizer", garbage, "--out", dir.file("run2")}, 4},
      {{"mri", "info", missing}, 3},
      {{"mri", "info", garbage_nii}, 4},
      {{"mri", "info", volume, "--no-such-option"}, 2},
      {{"mri", "simulate", missing, "--out", dir.file("k.h5")}, 3},
      {{"mri", "simulate", volume, "--out", unwritable + ".h5"}, 3},
      {{"mri", "mask", "--type", "random", "--accel", "4", "--out", unwritable + ".h5"}, 3},
      {{"mri", "recon", "--method", "zero-filled", "--kspace", missing, "--mask-type", "random", "--out", dir.file("r.nii")}, 3},
      {{"mri", "eval", "--target", missing, "--pred", missing}, 3},
      {{"mri", "compare", missing}, 3},
      {{"mri", "train-vae", missing, "--split", std::string(QS_SOURCE_DIR) + "/resources/mri/colin27-split.json", "--out", dir.file("vae")}, 3},
      {{"no-such-command"}, 2},
  };
  for (const Case& c : cases) {
    std::string what;
    for (const auto& a : c.args) what += a + " ";
    const auto r = run_cli_limited(c.args, 120);
    EXPECT_EQ(r.exit_code, c.code) << what << "\n" << r.err;
    EXPECT_NE(r.err.find("error"), std::string::npos) << what << "\n" << r.err;
  }
#if !defined(QS_WITH_CUDA)
  const auto gpu = run_cli_limited({"bench-kernels"}, 60);
  EXPECT_EQ(gpu.exit_code, 5) << gpu.err;
#endif
}

}  // namespace
}  // namespace qs
