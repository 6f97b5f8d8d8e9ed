#include "core/llm/model/weights.h"

#include <cstring>

#include "core/common/error.h"
#include "core/common/file_bytes.h"

namespace qs {

void ModelWeights::to(at::Device device, at::ScalarType dtype) {
  bool tied = output.defined() && tok_embd.defined() && output.data_ptr() == tok_embd.data_ptr();
  auto conv = [&](at::Tensor& t) {
    if (t.defined()) t = t.to(device, dtype).contiguous();
  };
  conv(tok_embd);
  conv(out_norm);
  for (auto& l : layers)
    for (at::Tensor* t : {&l.attn_norm, &l.wq, &l.wk, &l.wv, &l.wo, &l.bq, &l.bk, &l.bv, &l.ffn_norm, &l.w_gate, &l.w_up, &l.w_down}) conv(*t);
  if (tied) output = tok_embd;
  else conv(output);
  if (rope_freq_factors.defined()) rope_freq_factors = rope_freq_factors.to(device, at::kFloat);
}

int64_t ModelWeights::bytes() const {
  int64_t n = 0;
  auto add = [&](const at::Tensor& t) {
    if (t.defined()) n += t.numel() * int64_t(t.element_size());
  };
  add(tok_embd);
  add(out_norm);
  if (output.defined() && (!tok_embd.defined() || output.data_ptr() != tok_embd.data_ptr())) add(output);
  for (const auto& l : layers)
    for (const at::Tensor* t : {&l.attn_norm, &l.wq, &l.wk, &l.wv, &l.wo, &l.bq, &l.bk, &l.bv, &l.ffn_norm, &l.w_gate, &l.w_up, &l.w_down}) add(*t);
  return n;
}

std::string LoadedModel::file_hash() const {
  std::lock_guard<std::mutex> lock(hash_mutex_);
  if (hash_.empty()) hash_ = compute_file_hash();
  return hash_;
}

std::string LoadedModel::compute_file_hash() const {
  if (format == "random-init") return "random-init";
  std::string file = path;
  if (format == "huggingface") {
    auto it = metadata.find("weights file");
    if (it != metadata.end()) file = it->second;
  }
  auto bytes = FileBytes::open(file);
  std::string hash = sha256_hex(bytes->data(), bytes->size());
  if (weight_shards.empty()) return hash;
  std::string all = hash;
  for (const std::string& shard : weight_shards) {
    auto b = FileBytes::open(shard);
    all += sha256_hex(b->data(), b->size());
  }
  return sha256_hex(reinterpret_cast<const uint8_t*>(all.data()), all.size());
}

at::Tensor tensor_from_floats(const float* data, std::vector<int64_t> shape) {
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
  std::memcpy(t.data_ptr<float>(), data, size_t(t.numel()) * sizeof(float));
  return t;
}

void check_weight_shapes(const ModelConfig& c, const ModelWeights& w) {
  auto expect = [](const at::Tensor& t, std::vector<int64_t> shape, const std::string& name) {
    if (!t.defined()) fail_format("model: tensor '" + name + "' is missing");
    if (t.sizes().vec() != shape) {
      std::string want, got;
      for (auto s : shape) want += std::to_string(s) + ",";
      for (auto s : t.sizes()) got += std::to_string(s) + ",";
      fail_format("model: tensor '" + name + "' has shape [" + got + "] but the config needs [" + want + "]");
    }
  };
  int64_t q = c.n_heads * c.head_dim, kv = c.n_kv_heads * c.head_dim;
  expect(w.tok_embd, {c.vocab, c.dim}, "token embedding");
  expect(w.out_norm, {c.dim}, "output norm");
  expect(w.output, {c.vocab, c.dim}, "output");
  if (int64_t(w.layers.size()) != c.n_layers) fail_format("model: layer count differs from the config");
  for (int64_t i = 0; i < c.n_layers; ++i) {
    const auto& l = w.layers[size_t(i)];
    std::string p = "layer " + std::to_string(i) + " ";
    expect(l.attn_norm, {c.dim}, p + "attn_norm");
    expect(l.wq, {q, c.dim}, p + "wq");
    expect(l.wk, {kv, c.dim}, p + "wk");
    expect(l.wv, {kv, c.dim}, p + "wv");
    expect(l.wo, {c.dim, q}, p + "wo");
    expect(l.ffn_norm, {c.dim}, p + "ffn_norm");
    expect(l.w_gate, {c.ffn_dim, c.dim}, p + "ffn_gate");
    expect(l.w_up, {c.ffn_dim, c.dim}, p + "ffn_up");
    expect(l.w_down, {c.dim, c.ffn_dim}, p + "ffn_down");
    if (c.qkv_bias) {
      expect(l.bq, {q}, p + "q bias");
      expect(l.bk, {kv}, p + "k bias");
      expect(l.bv, {kv}, p + "v bias");
    }
  }
}

}  // namespace qs
