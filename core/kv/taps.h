// Taps: an observer that can see, per layer, the tensors the forward pass really uses. Off by
// default; when no observer is attached the forward pays one null-pointer test per point.
#pragma once
#include <ATen/ATen.h>

namespace qs {

enum class Tap {
  kLayerInput,   // hidden states entering the layer      [B, T, dim]
  kKPreRope,     // keys before RoPE                      [B, Hkv, T, hd]
  kKPostRope,    // keys after RoPE                       [B, Hkv, T, hd]
  kV,            // values                                [B, Hkv, T, hd]
  kQPostRope,    // queries after RoPE                    [B, Hq, T, hd]
  kAttnProbs,    // attention probabilities (float32)     [B, Hq, T, S]
  kAttnOutput,   // attention output before W_o           [B, Hq, T, hd]
  kKDequant,     // the cache's dequantized keys (post-RoPE) over all S tokens [B, Hkv, S, hd]
  kVDequant,     // the cache's dequantized values        [B, Hkv, S, hd]
  kKStored,      // new keys in the codec's storage basis, before quantization (after its
                 // rotation and reorder)                  [B, T, Hkv*hd]
  kVStored,      // new values in the codec's storage basis [B, T, Hkv*hd]
  kFinalHidden,  // after the last layer, before the final norm (layer = n_layers) [B, T, dim]
};

const char* tap_name(Tap t);

class TapObserver {
 public:
  virtual ~TapObserver() = default;
  // Lets the producer skip work (attention probabilities are only built when someone wants them).
  virtual bool wants(Tap tap, int layer) const { return true; }
  virtual void on_tap(Tap tap, int layer, const at::Tensor& value) = 0;
};

// Helper for producers: calls the observer only when attached and interested.
inline void emit_tap(TapObserver* obs, Tap tap, int layer, const at::Tensor& value) {
  if (obs && obs->wants(tap, layer)) obs->on_tap(tap, layer, value);
}

}  // namespace qs
