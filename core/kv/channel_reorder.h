// RotateKV's calibrated channel permutations, one small versioned file per model.
//
//  pre:  per layer, a permutation of the Hkv*hd pre-RoPE key channels after the grouped-head
//        Walsh-Hadamard (argsort of each channel's signed sum over the calibration tokens).
//  post: per layer and KV head, a permutation of that head's hd channels after the per-head
//        Hadamard of post-RoPE keys (our rotatekv-post variant).
//
// File "QSKVRO01": u32 version, 64-char model sha256, u32 n_layers, n_kv_heads, head_dim,
// head_group, u64 calibration tokens, u32 source length + text, pre [L][Hkv*hd] u32,
// post [L][Hkv][hd] u32, then the sha256 (32 raw bytes) of everything before it.
#pragma once
#include <ATen/ATen.h>

#include <string>

namespace qs {

struct ChannelReorder {
  std::string model_hash;  // sha256 hex of the model file it was calibrated on
  int64_t n_layers = 0, n_kv_heads = 0, head_dim = 0;
  int64_t head_group = 0;  // KV heads per pre-RoPE Hadamard block
  int64_t tokens = 0;      // calibration tokens seen
  std::string source;      // what the calibration text was (file name)
  at::Tensor pre;          // int64 [L, Hkv*hd]
  at::Tensor post;         // int64 [L, Hkv, hd]
};

void write_channel_reorder(const std::string& path, const ChannelReorder& r, bool overwrite);
// Checks magic, version, sizes against the file length, the checksum and that every row is a
// permutation; throws Error(kFormat) naming what is wrong.
ChannelReorder read_channel_reorder(const std::string& path);
// Throws Error(kInvalidArgument) when the file belongs to another model or another shape.
void check_reorder_matches(const ChannelReorder& r, const std::string& model_hash, int64_t n_layers, int64_t n_kv_heads, int64_t head_dim);

// Where `calibrate` writes and codecs look by default: $QUANTISCOPE_CALIB_DIR, else
// $XDG_CACHE_HOME/quantiscope/reorder, else ~/.cache/quantiscope/reorder; "<hash16>.qsreorder".
std::string default_reorder_path(const std::string& model_hash);

// KV heads per pre-RoPE Hadamard block: min(4, Hkv), lowered to a power of two that divides Hkv.
int64_t rotation_head_group(int64_t n_kv_heads);

bool is_permutation_rows(const at::Tensor& perms);  // every row of [..., n] holds 0..n-1 once

}  // namespace qs
