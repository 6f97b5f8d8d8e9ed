#include "core/llm/formats/ggml_types.h"

#include <cmath>
#include <cstring>

#include "core/common/error.h"

namespace qs::ggml {

TypeTraits traits(uint32_t t) {
  switch (static_cast<Type>(t)) {
    case Type::kF32: return {"F32", 1, 4, true};
    case Type::kF16: return {"F16", 1, 2, true};
    case Type::kBF16: return {"BF16", 1, 2, true};
    case Type::kQ4_0: return {"Q4_0", 32, 18, true};
    case Type::kQ4_1: return {"Q4_1", 32, 20, false};
    case Type::kQ5_0: return {"Q5_0", 32, 22, false};
    case Type::kQ5_1: return {"Q5_1", 32, 24, false};
    case Type::kQ8_0: return {"Q8_0", 32, 34, true};
    case Type::kQ8_1: return {"Q8_1", 32, 36, false};
    case Type::kQ2_K: return {"Q2_K", 256, 84, false};
    case Type::kQ3_K: return {"Q3_K", 256, 110, false};
    case Type::kQ4_K: return {"Q4_K", 256, 144, true};
    case Type::kQ5_K: return {"Q5_K", 256, 176, false};
    case Type::kQ6_K: return {"Q6_K", 256, 210, true};
    case Type::kQ8_K: return {"Q8_K", 256, 292, false};
    case Type::kIQ2_XXS: return {"IQ2_XXS", 256, 66, false};
    case Type::kIQ2_XS: return {"IQ2_XS", 256, 74, false};
    case Type::kIQ3_XXS: return {"IQ3_XXS", 256, 98, false};
    case Type::kIQ1_S: return {"IQ1_S", 256, 50, false};
    case Type::kIQ4_NL: return {"IQ4_NL", 32, 18, false};
    case Type::kIQ3_S: return {"IQ3_S", 256, 110, false};
    case Type::kIQ2_S: return {"IQ2_S", 256, 82, false};
    case Type::kIQ4_XS: return {"IQ4_XS", 256, 136, false};
    case Type::kI8: return {"I8", 1, 1, false};
    case Type::kI16: return {"I16", 1, 2, false};
    case Type::kI32: return {"I32", 1, 4, false};
    case Type::kI64: return {"I64", 1, 8, false};
    case Type::kF64: return {"F64", 1, 8, false};
    case Type::kIQ1_M: return {"IQ1_M", 256, 56, false};
    case Type::kTQ1_0: return {"TQ1_0", 256, 54, false};
    case Type::kTQ2_0: return {"TQ2_0", 256, 66, false};
  }
  return {};
}

std::string type_name(uint32_t t) {
  TypeTraits tr = traits(t);
  return tr.block_elements ? tr.name : "type#" + std::to_string(t);
}

float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400) == 0);
      bits = sign | (uint32_t(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16_to_float(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return uint16_t(sign | 0x7c00 | (mant ? 0x200 : 0));
  if (exp >= 0x1f) return uint16_t(sign | 0x7c00);
  if (exp <= 0) {
    if (exp < -10) return uint16_t(sign);
    mant |= 0x800000;
    uint32_t shift = uint32_t(14 - exp);
    uint32_t half = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = sign | (uint32_t(exp) << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;  // may carry into the exponent: correct
  return uint16_t(half);
}

namespace {
inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

void dequant_q8_0(const uint8_t* src, size_t blocks, float* dst) {
  for (size_t b = 0; b < blocks; ++b, src += 34, dst += 32) {
    float d = half_to_float(load_u16(src));
    const int8_t* q = reinterpret_cast<const int8_t*>(src + 2);
    for (int j = 0; j < 32; ++j) dst[j] = d * float(q[j]);
  }
}

void dequant_q4_0(const uint8_t* src, size_t blocks, float* dst) {
  for (size_t b = 0; b < blocks; ++b, src += 18, dst += 32) {
    float d = half_to_float(load_u16(src));
    const uint8_t* q = src + 2;
    for (int j = 0; j < 16; ++j) {
      dst[j] = d * float(int(q[j] & 0xf) - 8);
      dst[j + 16] = d * float(int(q[j] >> 4) - 8);
    }
  }
}

// 6-bit scale and min number j of a Q4_K super-block (12 packed bytes hold 8 of each).
inline void q4k_scale_min(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *sc = uint8_t((q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4));
    *m = uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

void dequant_q4_k(const uint8_t* src, size_t blocks, float* dst) {
  for (size_t b = 0; b < blocks; ++b, src += 144) {
    float d = half_to_float(load_u16(src));
    float dmin = half_to_float(load_u16(src + 2));
    const uint8_t* scales = src + 4;
    const uint8_t* q = src + 16;
    int is = 0;
    for (int j = 0; j < 256; j += 64, q += 32, is += 2) {
      uint8_t sc, m;
      q4k_scale_min(is, scales, &sc, &m);
      float d1 = d * sc, m1 = dmin * m;
      q4k_scale_min(is + 1, scales, &sc, &m);
      float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *dst++ = d1 * float(q[l] & 0xf) - m1;
      for (int l = 0; l < 32; ++l) *dst++ = d2 * float(q[l] >> 4) - m2;
    }
  }
}

void dequant_q6_k(const uint8_t* src, size_t blocks, float* dst) {
  for (size_t b = 0; b < blocks; ++b, src += 210) {
    const uint8_t* ql = src;
    const uint8_t* qh = src + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(src + 192);
    float d = half_to_float(load_u16(src + 208));
    for (int n = 0; n < 256; n += 128, dst += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        int is = l / 16;
        int q1 = int((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
        int q2 = int((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
        int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        dst[l] = d * sc[is] * q1;
        dst[l + 32] = d * sc[is + 2] * q2;
        dst[l + 64] = d * sc[is + 4] * q3;
        dst[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}
}  // namespace

void dequantize(Type type, const uint8_t* src, size_t n, float* dst) {
  TypeTraits tr = traits(static_cast<uint32_t>(type));
  if (!tr.dequantizable) fail(ErrorKind::kUnsupported, "tensor type " + type_name(uint32_t(type)) + " is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
  if (n % tr.block_elements != 0) fail_format(std::string("element count is not a multiple of the ") + tr.name + " block size");
  size_t blocks = n / tr.block_elements;
  switch (type) {
    case Type::kF32: std::memcpy(dst, src, n * 4); return;
    case Type::kF16:
      for (size_t i = 0; i < n; ++i) dst[i] = half_to_float(load_u16(src + 2 * i));
      return;
    case Type::kBF16:
      for (size_t i = 0; i < n; ++i) dst[i] = bf16_to_float(load_u16(src + 2 * i));
      return;
    case Type::kQ8_0: dequant_q8_0(src, blocks, dst); return;
    case Type::kQ4_0: dequant_q4_0(src, blocks, dst); return;
    case Type::kQ4_K: dequant_q4_k(src, blocks, dst); return;
    case Type::kQ6_K: dequant_q6_k(src, blocks, dst); return;
    default: break;
  }
  fail(ErrorKind::kUnsupported, "tensor type " + type_name(uint32_t(type)) + " is not supported");
}

}  // namespace qs::ggml
