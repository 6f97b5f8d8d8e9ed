#include "core/kv/quantizer.h"

#include <cmath>

#include "core/common/error.h"

namespace qs {
namespace {

// View [..., n] as [..., n/g, g].
at::Tensor grouped(const at::Tensor& x, int64_t g) {
  const int64_t n = x.size(-1);
  if (n % g != 0) fail(ErrorKind::kInvalidArgument, "quantizer: " + std::to_string(n) + " elements do not split into groups of " + std::to_string(g));
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = n / g;
  shape.push_back(g);
  return x.reshape(shape);
}

// Nearest f16 at or above (x > 0) / at or below x, by stepping the bit pattern.
at::Tensor half_ceil(const at::Tensor& x) {
  at::Tensor h = x.to(at::kHalf);
  at::Tensor bits = h.view(at::kShort);
  bits = at::where(h.to(at::kFloat) < x, bits + 1, bits).to(at::kShort);
  return bits.view(at::kHalf);
}

at::Tensor half_floor(const at::Tensor& x) {
  at::Tensor h = x.to(at::kHalf);
  at::Tensor hf = h.to(at::kFloat);
  at::Tensor bits = h.view(at::kShort).to(at::kInt);
  // Sign-magnitude: a smaller positive value is bits-1, a more negative one bits+1, below 0 is -2^-24.
  at::Tensor lower = at::where(hf > 0, bits - 1, at::where(hf < 0, bits + 1, at::full_like(bits, -32767)));
  return at::where(hf > x, lower, bits).to(at::kShort).view(at::kHalf);
}

// C's roundf: half away from zero (llama.cpp's q8_0 rounding).
at::Tensor round_half_away(const at::Tensor& x) { return at::sign(x) * at::floor(at::abs(x) + 0.5); }

QuantizedGroups quantize_llama(const at::Tensor& xg, const QuantSpec& spec) {
  QuantizedGroups out;
  at::Tensor d;
  at::Tensor q;
  if (spec.scheme == QuantScheme::kLlamaQ8_0) {
    at::Tensor amax = at::abs(xg).amax(-1, true);
    d = amax / 127.0;
    at::Tensor id = at::where(d > 0, 1.0 / d, at::zeros_like(d));
    q = round_half_away(xg * id) + 128;  // stored offset by 128 so codes are unsigned
  } else {
    at::Tensor idx = at::abs(xg).argmax(-1, true);
    at::Tensor m = xg.gather(-1, idx);  // signed value of largest magnitude
    d = m / -8.0;
    at::Tensor id = at::where(d != 0, 1.0 / d, at::zeros_like(d));
    q = at::clamp_max(at::floor(xg * id + 8.5), 15.0);
  }
  out.codes = at::clamp(q, 0, spec.levels()).to(at::kByte);
  out.scale = d.squeeze(-1).to(at::kHalf);
  return out;
}

}  // namespace

int64_t QuantSpec::meta_bits_per_group() const {
  if (scheme != QuantScheme::kAsymmetric) return 16;
  return meta == MetaFormat::kF16 ? 32 : 16;
}

void QuantSpec::validate() const {
  if (scheme == QuantScheme::kLlamaQ8_0 && bits != 8) fail(ErrorKind::kInvalidArgument, "q8_0 has 8 bits");
  if (scheme == QuantScheme::kLlamaQ4_0 && bits != 4) fail(ErrorKind::kInvalidArgument, "q4_0 has 4 bits");
  if (bits < 2 || bits > 8) fail(ErrorKind::kInvalidArgument, "quantizer: bits must be 2..8, not " + std::to_string(bits));
  if (group < 1) fail(ErrorKind::kInvalidArgument, "quantizer: group size must be positive");
  if (!(clip > 0.0 && clip <= 1.0)) fail(ErrorKind::kInvalidArgument, "quantizer: clip ratio must be in (0, 1]");
  if (meta == MetaFormat::kFp8ScaleInt8Zero && zero != ZeroKind::kIntegerZero)
    fail(ErrorKind::kInvalidArgument, "quantizer: fp8 scale + int8 zero needs an integer zero point");
}

std::string QuantSpec::describe() const {
  if (scheme == QuantScheme::kLlamaQ8_0) return "q8_0 blocks of " + std::to_string(group);
  if (scheme == QuantScheme::kLlamaQ4_0) return "q4_0 blocks of " + std::to_string(group);
  char clip_text[32];
  std::snprintf(clip_text, sizeof clip_text, "%.2f", clip);
  return std::to_string(bits) + "-bit asym, groups of " + std::to_string(group) + ", clip " + clip_text +
         (meta == MetaFormat::kF16 ? ", f16 meta" : ", fp8 scale + int8 zero");
}

QuantizedGroups quantize_groups(const at::Tensor& x, const QuantSpec& spec) {
  spec.validate();
  if (!x.is_floating_point()) fail(ErrorKind::kInvalidArgument, "quantizer: floating-point input expected");
  at::Tensor xg = grouped(x.to(at::kFloat), spec.group);
  if (spec.scheme != QuantScheme::kAsymmetric) {
    QuantizedGroups out = quantize_llama(xg, spec);
    out.codes = out.codes.reshape(x.sizes());
    return out;
  }
  at::Tensor a = xg.amin(-1, true) * spec.clip;
  at::Tensor c = xg.amax(-1, true) * spec.clip;
  // Constant groups: widen the range to include 0 so the scale is positive.
  at::Tensor flat = (c - a) <= at::clamp_min(at::maximum(at::abs(a), at::abs(c)), 1e-30) * 1e-6;
  a = at::where(flat, at::clamp_max(a, 0.0), a);
  c = at::where(flat, at::clamp_min(c, 0.0), c);
  // The stored scale is rounded up and the stored min down, so the grid still spans [a, c] and
  // every value inside lies within half a step of a grid point.
  QuantizedGroups out;
  at::Tensor mn;
  if (spec.zero == ZeroKind::kMin) {
    mn = half_floor(a);
    out.zero = mn.squeeze(-1).to(at::kHalf);
    mn = mn.to(at::kFloat);
  }
  at::Tensor s = (c - (mn.defined() ? mn : a)) / double(spec.levels());
  s = at::where(s > 0, s, at::ones_like(s));  // all-zero group
  if (spec.meta == MetaFormat::kF16) {
    at::Tensor h = half_ceil(at::clamp(s, 6.0e-8, 65504.0));
    out.scale = h.squeeze(-1);
    s = h.to(at::kFloat);
  } else {
    at::Tensor code = fp8_e4m3_encode(at::clamp(s, std::ldexp(1.0, -9), 448.0));
    code = at::where(fp8_e4m3_decode(code) < s, at::clamp_max(code.to(at::kInt) + 1, 126), code.to(at::kInt)).to(at::kByte);  // round up
    out.scale = code.squeeze(-1);
    s = fp8_e4m3_decode(code);
  }
  at::Tensor q;
  if (spec.zero == ZeroKind::kMin) {
    q = at::round((xg - mn) / s);
  } else {
    at::Tensor z = at::round(-a / s);
    if (spec.meta == MetaFormat::kF16) {
      z = at::clamp(z, -2048.0, 2048.0);  // integers are exact in f16 up to 2048
      out.zero = z.squeeze(-1).to(at::kHalf);
    } else {
      z = at::clamp(z, -128, 127);  // int8 storage: groups far from 0 lose range (see docs)
      out.zero = z.squeeze(-1).to(at::kChar);
    }
    q = at::round(xg / s) + z;
  }
  out.codes = at::clamp(q, 0, spec.levels()).to(at::kByte).reshape(x.sizes());
  return out;
}

at::Tensor dequantize_groups(const QuantizedGroups& qg, const QuantSpec& spec) {
  at::Tensor q = grouped(qg.codes.to(at::kFloat), spec.group);
  if (spec.scheme == QuantScheme::kLlamaQ8_0) return ((q - 128.0) * qg.scale.to(at::kFloat).unsqueeze(-1)).reshape(qg.codes.sizes());
  if (spec.scheme == QuantScheme::kLlamaQ4_0) return ((q - 8.0) * qg.scale.to(at::kFloat).unsqueeze(-1)).reshape(qg.codes.sizes());
  at::Tensor s = (spec.meta == MetaFormat::kF16 ? qg.scale.to(at::kFloat) : fp8_e4m3_decode(qg.scale)).unsqueeze(-1);
  at::Tensor z = qg.zero.to(at::kFloat).unsqueeze(-1);
  at::Tensor x = spec.zero == ZeroKind::kMin ? q * s + z : s * (q - z);
  return x.reshape(qg.codes.sizes());
}

// e4m3: 1 sign, 4 exponent (bias 7), 3 mantissa bits; subnormals below 2^-6; largest finite 448.
at::Tensor fp8_e4m3_encode(const at::Tensor& x_in) {
  at::Tensor x = x_in.to(at::kFloat);
  at::Tensor sign = (x < 0).to(at::kInt) * 128;
  at::Tensor ax = at::clamp_max(at::abs(x), 448.0);
  // Exponent of the normal range; values below 2^-6 use the subnormal step 2^-9.
  at::Tensor e = at::clamp(at::floor(at::log2(at::clamp_min(ax, 1e-30))), -6, 8);
  at::Tensor step = at::pow(2.0, e - 3);
  at::Tensor m = at::round(ax / step);  // 8..16 for normals (16 carries into the next exponent), 0..8 subnormal
  at::Tensor carry = m >= 16;
  e = at::where(carry, e + 1, e);
  m = at::where(carry, m / 2, m);
  at::Tensor normal = m >= 8;
  at::Tensor code = at::where(normal, (e + 7) * 8 + (m - 8), m);  // subnormal: exponent field 0
  code = at::clamp(code, 0, 126);  // 126 = 448; 127 would be NaN
  return (code.to(at::kInt) + sign).to(at::kByte);
}

at::Tensor fp8_e4m3_decode(const at::Tensor& codes) {
  at::Tensor c = codes.to(at::kInt);
  at::Tensor sign = at::where(c >= 128, -1.0, 1.0);
  c = at::remainder(c, 128);
  at::Tensor e = at::floor_divide(c, 8);
  at::Tensor m = at::remainder(c, 8).to(at::kFloat);
  at::Tensor normal = e > 0;
  at::Tensor v = at::where(normal, (8.0 + m) * at::pow(2.0, e.to(at::kFloat) - 10.0), m * std::pow(2.0, -9.0));
  return (sign * v).to(at::kFloat);
}

}  // namespace qs
