#include "core/kv/fused_kernels.h"

#include "core/common/error.h"
#include "core/kv/cuda/fwht.h"
#include "core/kv/cuda/packed_attention.h"
#include "core/kv/cuda/quantize_rows.h"

#if defined(QS_WITH_CUDA)
#include <ATen/cuda/CUDAContext.h>
#endif

namespace qs {
namespace {

cuda::CodeFormat code_format(const QuantSpec& q) {
  switch (q.scheme) {
    case QuantScheme::kLlamaQ8_0: return cuda::CodeFormat::kQ8_0;
    case QuantScheme::kLlamaQ4_0: return cuda::CodeFormat::kQ4_0;
    case QuantScheme::kAsymmetric: break;
  }
  return q.zero == ZeroKind::kMin ? cuda::CodeFormat::kAsymMin : cuda::CodeFormat::kAsymIntZero;
}

cuda::DType kernel_dtype(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return cuda::DType::kF32;
    case at::kHalf: return cuda::DType::kF16;
    case at::kBFloat16: return cuda::DType::kBF16;
    default: fail(ErrorKind::kUnsupported, "fused decode: queries must be f32, f16 or bf16");
  }
}

const uint16_t* half_bits(const at::Tensor& t) { return t.defined() && t.numel() ? static_cast<const uint16_t*>(t.data_ptr()) : nullptr; }

// Fills `s` from a store; returns why the kernel cannot read it, or "".
std::string describe_side(const SideStore& store, int64_t width, cuda::PackedSide& s) {
  const SideTensors t = store.tensors();
  if (store.fp_dtype() != at::kHalf) return "full-precision rows are not f16";
  if (t.has_chunks) {
    s.per_channel = true;
    return "per-channel key chunks (KIVI keys) have no fused kernel yet";
  }
  s.qlen = t.quantized_length;
  if (t.recent.defined() && t.recent.size(1) > 0) {
    if (t.recent.stride(2) != 1 || t.recent.stride(1) != width) return "the recent window is not row-contiguous";
    s.recent = half_bits(t.recent);
    s.rcap = t.recent.stride(0) / width;
  }
  if (t.sink_pos.defined() && t.sink_pos.numel()) {
    if (!t.sink_pos.is_contiguous() || !t.sink_vals.is_contiguous()) return "the sink store is not contiguous";
    s.sink_pos = t.sink_pos.data_ptr<int64_t>();
    s.sink_vals = half_bits(t.sink_vals);
    s.n_sinks = int32_t(t.sink_pos.size(1));
  }
  if (t.policy->full_precision || !t.tokens) return (s.bits = 16, "");
  const QuantSpec& q = t.tokens->spec();
  s.bits = q.bits;
  s.group = int32_t(q.group);
  s.format = code_format(q);
  if (q.scheme == QuantScheme::kAsymmetric && q.meta != MetaFormat::kF16) return "fp8 metadata has no fused kernel";
  if (t.tokens->length()) {
    s.codes = t.tokens->codes().data_ptr<uint8_t>();
    s.cap = t.tokens->codes().size(2);
    s.heads = int32_t(t.tokens->heads());
    s.scale = half_bits(t.tokens->scale());
    s.zero = half_bits(t.tokens->zero());
  }
  return "";
}

std::string describe(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q, cuda::DecodeAttention& p) {
#if !defined(QS_WITH_CUDA)
  return "this build has no CUDA kernels";
#endif
  if (!q.is_cuda()) return "the query is not on a CUDA device";
  if (q.dim() != 4 || q.size(2) != 1) return "not a single-token decode step";
  if (k.length() != v.length() || k.length() == 0) return "keys and values hold different token counts";
  const int64_t width = shape.n_kv_heads * shape.head_dim;
  p.batch = int32_t(q.size(0)), p.n_heads = int32_t(shape.n_heads), p.n_kv_heads = int32_t(shape.n_kv_heads), p.head_dim = int32_t(shape.head_dim);
  p.length = k.length();
  p.scale = float(1.0 / std::sqrt(double(shape.head_dim)));
  p.q_dtype = kernel_dtype(q.scalar_type());
  for (auto [store, side] : {std::pair{&k, &p.k}, std::pair{&v, &p.v}})
    if (std::string why = describe_side(*store, width, *side); !why.empty()) return why;
  return cuda::fused_decode_unsupported(p);
}

}  // namespace

std::string fused_decode_unsupported(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q) {
  cuda::DecodeAttention p;
  return describe(shape, k, v, q, p);
}

namespace {

cuda::DecodeAttention::Kernel kernel_choice(DecodeKernel k) {
  switch (k) {
    case DecodeKernel::kTensorCores: return cuda::DecodeAttention::Kernel::kTensorCores;
    case DecodeKernel::kCudaCores: return cuda::DecodeAttention::Kernel::kCudaCores;
    case DecodeKernel::kAuto: break;
  }
  return cuda::DecodeAttention::Kernel::kAuto;
}

}  // namespace

std::string fused_decode_kernel_name(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q, DecodeKernel kernel) {
  cuda::DecodeAttention p;
  if (std::string why = describe(shape, k, v, q, p); !why.empty()) return "none: " + why;
#if defined(QS_WITH_CUDA)
  p.kernel = kernel_choice(kernel);
  return cuda::decode_kernel_name(p);
#else
  (void)kernel;
  return "none";
#endif
}

void fused_decode_attention(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q_in, at::Tensor& out, DecodeKernel kernel) {
  cuda::DecodeAttention p;
  if (std::string why = describe(shape, k, v, q_in, p); !why.empty()) fail(ErrorKind::kUnsupported, "fused decode attention: " + why);
  p.kernel = kernel_choice(kernel);
#if defined(QS_WITH_CUDA)
  at::Tensor q = q_in.contiguous();
  if (!out.defined() || out.sizes() != q.sizes() || out.scalar_type() != q.scalar_type() || !out.is_contiguous())
    fail(ErrorKind::kInternal, "fused decode attention: the output must be a contiguous tensor of the query's shape and dtype");
  const int sms = at::cuda::getCurrentDeviceProperties()->multiProcessorCount;
  at::Tensor work = at::empty({cuda::plan_splits(p, sms)}, q.options().dtype(at::kFloat));
  p.q = q.data_ptr();
  p.out = out.data_ptr();
  p.part_out = work.data_ptr<float>();
  if (const char* err = cuda::launch_decode_attention(p, at::cuda::getCurrentCUDAStream().stream()))
    fail(ErrorKind::kInternal, std::string("fused decode attention: ") + err);
#else
  (void)out;
#endif
}

namespace {

// Fills p from the spec and x; returns why the kernel cannot run, or "".
std::string describe_rows(const QuantSpec& spec, const at::Tensor& x, cuda::QuantizeRows& p) {
#if !defined(QS_WITH_CUDA)
  return "this build has no CUDA kernels";
#endif
  if (!x.is_cuda()) return "the rows are not on a CUDA device";
  if (x.dim() != 3) return "rows must be [batch, T, width]";
  if (x.scalar_type() != at::kFloat && x.scalar_type() != at::kHalf && x.scalar_type() != at::kBFloat16) return "rows are not f32, f16 or bf16";
  if (spec.scheme == QuantScheme::kAsymmetric && spec.meta != MetaFormat::kF16) return "fp8 metadata has no quantize kernel";
  p.x_dtype = kernel_dtype(x.scalar_type());
  p.batch = int32_t(x.size(0)), p.tokens = int32_t(x.size(1)), p.width = int32_t(x.size(2));
  p.bits = spec.bits, p.group = int32_t(spec.group), p.format = code_format(spec), p.clip = float(spec.clip);
  if (spec.scheme == QuantScheme::kAsymmetric) p.zero = reinterpret_cast<uint16_t*>(1);  // checked for presence only
  return cuda::quantize_rows_unsupported(p);
}

}  // namespace

std::string fused_quantize_unsupported(const QuantSpec& spec, const at::Tensor& x) {
  cuda::QuantizeRows p;
  return describe_rows(spec, x, p);
}

std::string try_fused_quantize_rows(const QuantSpec& spec, const at::Tensor& x_in, at::Tensor& codes, at::Tensor& scale, at::Tensor& zero, int64_t row0) {
  cuda::QuantizeRows p;
  if (std::string why = describe_rows(spec, x_in, p); !why.empty()) return why;
#if defined(QS_WITH_CUDA)
  at::Tensor x = x_in.contiguous();
  if (codes.dim() != 4 || codes.size(2) < row0 + x.size(1) || !codes.is_contiguous() || !scale.is_contiguous() || (zero.defined() && !zero.is_contiguous()))
    fail(ErrorKind::kInternal, "fused quantize: the buffers cannot take these rows");
  p.x = x.data_ptr();
  p.codes = codes.data_ptr<uint8_t>();
  p.scale = static_cast<uint16_t*>(scale.data_ptr());
  p.zero = zero.defined() ? static_cast<uint16_t*>(zero.data_ptr()) : nullptr;
  p.cap = codes.size(2), p.row0 = row0, p.heads = int32_t(codes.size(1));
  if (const char* err = cuda::launch_quantize_rows(p, at::cuda::getCurrentCUDAStream().stream())) fail(ErrorKind::kInternal, std::string("fused quantize: ") + err);
#else
  (void)codes, (void)scale, (void)zero, (void)row0;
#endif
  return "";
}

std::string try_fused_fwht(const at::Tensor& x, at::Tensor& y) {
#if !defined(QS_WITH_CUDA)
  (void)x, (void)y;
  return "this build has no CUDA kernels";
#else
  if (!x.is_cuda()) return "the rows are not on a CUDA device";
  if (x.scalar_type() != at::kFloat && x.scalar_type() != at::kHalf && x.scalar_type() != at::kBFloat16) return "rows are not f32, f16 or bf16";
  if (x.dim() == 0 || !x.is_contiguous() || !y.is_contiguous() || y.sizes() != x.sizes() || y.scalar_type() != x.scalar_type())
    fail(ErrorKind::kInternal, "fused fwht: x and y must be contiguous tensors of one shape and dtype");
  const int64_t n = x.size(-1);
  if (const std::string why = cuda::fwht_unsupported(n, x.data_ptr(), y.data_ptr()); !why.empty()) return why;
  if (const char* err = cuda::launch_fwht(x.data_ptr(), y.data_ptr(), x.numel() / n, int32_t(n), kernel_dtype(x.scalar_type()), at::cuda::getCurrentCUDAStream().stream()))
    fail(ErrorKind::kInternal, std::string("fused fwht: ") + err);
  return "";
#endif
}

}  // namespace qs
