#include "core/kv/bit_pack.h"

#include "core/common/error.h"

namespace qs {
namespace {

void check_bits(int bits) {
  if (bits < 1 || bits > 8) fail(ErrorKind::kInvalidArgument, "bit packing: width must be 1..8 bits, not " + std::to_string(bits));
}

std::vector<int64_t> with_last(const at::Tensor& t, int64_t last) {
  std::vector<int64_t> s = t.sizes().vec();
  s.back() = last;
  return s;
}

// Weights 2^(j*step) for j = 0..count-1 as int32 on the tensor's device.
at::Tensor powers(int64_t count, int step, const at::Tensor& like) {
  return at::pow(2, at::arange(count, like.options().dtype(at::kInt)) * step).to(at::kInt);
}

}  // namespace

int64_t packed_bytes(int64_t n, int bits) {
  check_bits(bits);
  return (n * bits + 7) / 8;
}

at::Tensor pack_bits(const at::Tensor& codes, int bits) {
  check_bits(bits);
  if (codes.scalar_type() != at::kByte) fail(ErrorKind::kInvalidArgument, "bit packing: uint8 codes expected");
  const int64_t n = codes.size(-1);
  if (bits == 8) return codes.contiguous();
  at::Tensor c = codes.to(at::kInt);
  if (8 % bits == 0 && n % (8 / bits) == 0) {  // whole codes per byte: one shift-and-sum
    const int64_t per = 8 / bits;
    std::vector<int64_t> s = with_last(c, n / per);
    s.push_back(per);
    return (c.reshape(s) * powers(per, bits, c)).sum(-1).to(at::kByte);
  }
  // General widths: spell out the bit string, pad it to whole bytes, regroup by 8.
  std::vector<int64_t> s = c.sizes().vec();
  s.push_back(1);
  at::Tensor bitsv = at::remainder(at::floor_divide(c.reshape(s), powers(bits, 1, c)), 2);  // [..., n, bits]
  at::Tensor stream = bitsv.reshape(with_last(c, n * bits));
  const int64_t nbytes = packed_bytes(n, bits);
  if (nbytes * 8 > n * bits) {
    stream = at::cat({stream, at::zeros(with_last(c, nbytes * 8 - n * bits), stream.options())}, -1);
  }
  std::vector<int64_t> sb = with_last(c, nbytes);
  sb.push_back(8);
  return (stream.reshape(sb) * powers(8, 1, c)).sum(-1).to(at::kByte);
}

at::Tensor unpack_bits(const at::Tensor& packed, int bits, int64_t n) {
  check_bits(bits);
  if (packed.scalar_type() != at::kByte) fail(ErrorKind::kInvalidArgument, "bit unpacking: uint8 bytes expected");
  if (packed.size(-1) != packed_bytes(n, bits))
    fail(ErrorKind::kInvalidArgument, "bit unpacking: " + std::to_string(packed.size(-1)) + " bytes cannot hold exactly " + std::to_string(n) + " codes of " + std::to_string(bits) + " bits");
  if (bits == 8) return packed.contiguous();
  at::Tensor p = packed.to(at::kInt);
  std::vector<int64_t> s = p.sizes().vec();
  s.push_back(1);
  if (8 % bits == 0 && n % (8 / bits) == 0) {
    const int64_t per = 8 / bits;
    at::Tensor c = at::remainder(at::floor_divide(p.reshape(s), powers(per, bits, p)), 1 << bits);
    return c.reshape(with_last(p, n)).to(at::kByte);
  }
  at::Tensor stream = at::remainder(at::floor_divide(p.reshape(s), powers(8, 1, p)), 2).reshape(with_last(p, packed.size(-1) * 8));
  stream = stream.narrow(-1, 0, n * bits);
  std::vector<int64_t> sc = with_last(p, n);
  sc.push_back(bits);
  return (stream.reshape(sc) * powers(bits, 1, p)).sum(-1).to(at::kByte);
}

}  // namespace qs
