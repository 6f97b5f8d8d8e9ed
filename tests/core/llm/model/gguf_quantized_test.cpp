// GGUF models with quantized weights and a tied output: we re-write stories260K.gguf with its 2-D
// weights in Q8_0 (and Q4_0) blocks, drop output.weight, and check that the loader dequantizes and
// ties correctly: logits stay close to the F32 file's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/llm/formats/ggml_types.h"
#include "core/llm/formats/gguf.h"
#include "core/llm/model/transformer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

// llama.cpp's reference block quantizers (symmetric, f16 scale): Q8_0 d = max|x|/127,
// Q4_0 d = x_at_max|x| / -8.
std::vector<uint8_t> quantize(const float* x, size_t n, ggml::Type type) {
  std::vector<uint8_t> out;
  for (size_t b = 0; b < n / 32; ++b, x += 32) {
    float amax = 0, vmax = 0;
    for (int j = 0; j < 32; ++j)
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        vmax = x[j];
      }
    uint16_t dh;
    if (type == ggml::Type::kQ8_0) {
      float d = amax / 127.0f, id = d ? 1.0f / d : 0.0f;
      dh = ggml::float_to_half(d);
      out.push_back(uint8_t(dh & 0xff));
      out.push_back(uint8_t(dh >> 8));
      for (int j = 0; j < 32; ++j) out.push_back(uint8_t(int8_t(std::lround(x[j] * id))));
    } else {
      float d = vmax / -8.0f, id = d ? 1.0f / d : 0.0f;
      dh = ggml::float_to_half(d);
      out.push_back(uint8_t(dh & 0xff));
      out.push_back(uint8_t(dh >> 8));
      for (int j = 0; j < 16; ++j) {
        int lo = std::min(15, int(x[j] * id + 8.5f)), hi = std::min(15, int(x[j + 16] * id + 8.5f));
        out.push_back(uint8_t(lo | (hi << 4)));
      }
    }
  }
  return out;
}

std::string requantized_copy(const test::TempDir& dir, ggml::Type type) {
  gguf::File f = gguf::File::open(test::asset("llm/stories260K/stories260K.gguf"));
  test::GgufBuilder b;
  for (const auto& [key, v] : f.metadata()) {
    using VT = gguf::ValueType;
    if (v.type == VT::kString) b.kv_string(key, v.s);
    else if (v.type == VT::kFloat32) b.kv_f32(key, float(v.f));
    else if (v.is_integer()) b.kv_u32(key, uint32_t(v.as_int()));
    else if (v.type == VT::kArray && v.element_type == VT::kString) b.kv_string_array(key, f.get_string_array(key));
    else if (v.type == VT::kArray && v.element_type == VT::kFloat32) {
      std::vector<float> a;
      for (double d : f.get_number_array(key)) a.push_back(float(d));
      b.kv_f32_array(key, a);
    } else if (v.type == VT::kArray) {
      std::vector<int32_t> a;
      for (double d : f.get_number_array(key)) a.push_back(int32_t(d));
      b.kv_i32_array(key, a);
    }
  }
  for (const auto& t : f.tensors()) {
    if (t.name == "output.weight") continue;  // tied to token_embd
    const float* data = reinterpret_cast<const float*>(f.tensor_data(t));
    if (t.dims.size() == 2 && t.dims[0] % 32 == 0) {
      b.tensor(t.name, t.dims, uint32_t(type), quantize(data, t.n_elements(), type));
    } else {
      std::vector<uint8_t> raw(f.tensor_data(t), f.tensor_data(t) + t.n_bytes);
      b.tensor(t.name, t.dims, 0, raw);
    }
  }
  return dir.write(std::string("stories260K-") + ggml::type_name(uint32_t(type)) + ".gguf", b.build());
}

TEST(GgufQuantized, Q8_0AndQ4_0WeightsWithTiedOutputTrackF32) {
  test::TempDir dir;
  auto ref = load_model(test::asset("llm/stories260K/stories260K.gguf"), LoadOptions());
  Transformer tr(*ref);
  at::manual_seed(3);
  at::Tensor tokens = at::randint(3, 512, {1, 96}, at::kLong);
  auto cr = tr.make_cache("f32", "f32", 96);
  at::Tensor lr = tr.forward(tokens, *cr);
  struct Expect {
    ggml::Type type;
    double min_agree;
  };
  for (Expect e : {Expect{ggml::Type::kQ8_0, 0.95}, Expect{ggml::Type::kQ4_0, 0.5}}) {
    auto m = load_model(requantized_copy(dir, e.type), LoadOptions());
    EXPECT_TRUE(m->config.tied_output);
    EXPECT_NE(m->file_dtype.find(ggml::type_name(uint32_t(e.type))), std::string::npos) << m->file_dtype;
    Transformer t(*m);
    auto c = t.make_cache("f32", "f32", 96);
    at::Tensor l = t.forward(tokens, *c);
    double agree = (l.argmax(-1) == lr.argmax(-1)).to(at::kFloat).mean().item<double>();
    double diff = (l - lr).abs().max().item<double>();
    std::printf("[ quantized ] %s: argmax agreement %.3f, max |dlogit| %.3f\n", ggml::type_name(uint32_t(e.type)).c_str(), agree, diff);
    EXPECT_GE(agree, e.min_agree);
  }
}

}  // namespace
}  // namespace qs
