// Packing b-bit codes (1..8) into bytes along the last dimension, little-endian within a byte:
// code i of a row occupies bits [i*b, (i+1)*b) of the row's bit string. Tensor ops, any device.
#pragma once
#include <ATen/ATen.h>

namespace qs {

// Bytes needed for n codes of b bits.
int64_t packed_bytes(int64_t n, int bits);

// codes: uint8 [..., n] with values < 2^bits -> uint8 [..., packed_bytes(n, bits)].
at::Tensor pack_bits(const at::Tensor& codes, int bits);
// The inverse: uint8 [..., packed_bytes(n, bits)] -> uint8 [..., n].
at::Tensor unpack_bits(const at::Tensor& packed, int bits, int64_t n);

}  // namespace qs
