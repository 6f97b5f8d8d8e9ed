#include "app/workbench/inspector_worker.h"

#include <map>

#include "app/workbench/tensor_to_plain.h"
#include "core/common/error.h"
#include "core/kv/kv_cache.h"
#include "core/kv/quantized_cache.h"
#include "core/kv/taps.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/model/transformer.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::workbench {
namespace {

// Keeps, per layer, CPU float copies of the tensors the inspector draws.
class Capture : public TapObserver {
 public:
  bool wants(Tap tap, int) const override {
    switch (tap) {
      case Tap::kLayerInput: case Tap::kKPostRope: case Tap::kV: case Tap::kAttnProbs:
      case Tap::kKDequant: case Tap::kVDequant: case Tap::kKStored: case Tap::kVStored: return true;
      default: return false;
    }
  }
  void on_tap(Tap tap, int layer, const at::Tensor& value) override {
    tensors[{tap, layer}] = value.detach().to(at::kCPU, at::kFloat).contiguous();
  }
  at::Tensor get(Tap tap, int layer) const {
    auto it = tensors.find({tap, layer});
    return it == tensors.end() ? at::Tensor() : it->second;
  }
  std::map<std::pair<Tap, int>, at::Tensor> tensors;
};

// One token as text the strip can show: newlines and tabs made visible, control tokens named.
QString token_label(const Tokenizer& tok, int32_t id) {
  std::string bytes = tok.piece_bytes(id, true);
  QString s = QString::fromUtf8(bytes.data(), int(bytes.size()));
  s.replace('\n', QString::fromUtf8("⏎")).replace('\t', QString::fromUtf8("⇥"));
  return s.isEmpty() ? QString("<%1>").arg(id) : s;
}

}  // namespace

struct InspectorWorker::State {
  std::unique_ptr<LoadedModel> model;
  std::unique_ptr<Transformer> transformer;
  Capture capture;
  std::vector<at::Tensor> fp_keys;  // per layer, bool [S]: tokens whose keys read back in full precision
  std::vector<int> k_bits;          // per layer: bits of the quantized keys (0 = none quantized)
  bool analyzed = false;
};

InspectorWorker::InspectorWorker() = default;
InspectorWorker::~InspectorWorker() = default;

void InspectorWorker::calibrate(const QString& text_path, long long max_tokens, bool overwrite) {
  try {
    if (!state_) fail(ErrorKind::kInvalidArgument, "open a model first");
    std::string summary;
    const std::string out = calibrate_default_reorder(*state_->transformer, *state_->model, text_path.toStdString(), max_tokens, overwrite, nullptr, cancel_, &summary);
    Q_EMIT calibrated(QString::fromStdString(out), QString::fromStdString(summary),
                      QString::fromStdString(smallest_runnable_kv_type(kv_shape_for(state_->model->config, state_->model->config.context_length), true)));
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(first_line(e.what())));
  }
}

void InspectorWorker::loadModel(const QString& path) {
  try {
    auto s = std::make_unique<State>();
    s->model = load_model(path.toStdString(), LoadOptions());  // llama2.c: the tokenizer beside it
    s->transformer = std::make_unique<Transformer>(*s->model);
    const ModelConfig& c = s->model->config;
    const std::string reorder = found_reorder_path(*s->model);
    const QString codec = QString::fromStdString(smallest_runnable_kv_type(kv_shape_for(c, c.context_length), !reorder.empty()));
    const QString why = reorder.empty() ? tr("%1: the smallest codec that needs no calibration (RotateKV needs this model's channel reorder first: "
                                             "quantiscope calibrate, or the Chat's Calibrate RotateKV…)").arg(codec)
                                        : tr("%1: the smallest codec for this model (its RotateKV reorder: %2)").arg(codec, QString::fromStdString(reorder));
    state_ = std::move(s);
    Q_EMIT modelLoaded(path, tr("%1 · %2 layers · %3 heads / %4 KV heads · head_dim %5")
                                 .arg(QString::fromStdString(c.arch)).arg(c.n_layers).arg(c.n_heads).arg(c.n_kv_heads).arg(c.head_dim), codec, why);
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(first_line(e.what())));
  }
}

void InspectorWorker::analyze(const InspectRequest& r) {
  try {
    if (!state_) fail(ErrorKind::kInvalidArgument, "open a model first");
    State& s = *state_;
    const ModelConfig& c = s.model->config;
    std::vector<int32_t> ids = s.model->tokenizer->encode(r.text.toStdString(), true, false);
    if (ids.size() < 2) fail(ErrorKind::kInvalidArgument, "the text is empty: type or load at least a few words");
    if (int(ids.size()) > r.max_tokens) ids.resize(size_t(r.max_tokens));
    const int64_t T = int64_t(ids.size());
    KvOptions options = KvOptions::parse(r.kv_options.toStdString());
    options.reorder_source = reorder_source_for(*s.model, "");
    std::unique_ptr<KvCache> cache = s.transformer->make_cache(r.k_type.toStdString(), r.v_type.toStdString(), T, 1, options);
    s.capture.tensors.clear();
    cancel_.check();
    const at::Tensor tokens = at::tensor(std::vector<int64_t>(ids.begin(), ids.end()), at::kLong).unsqueeze(0);
    s.transformer->forward(tokens, *cache, true, &s.capture);
    cancel_.check();

    const auto* quantized = dynamic_cast<const QuantizedCache*>(cache.get());
    s.fp_keys.assign(size_t(c.n_layers), at::Tensor());
    s.k_bits.assign(size_t(c.n_layers), 0);
    for (int l = 0; l < c.n_layers; ++l) {
      if (quantized) {
        s.fp_keys[size_t(l)] = quantized->full_precision_keys(l).to(at::kCPU)[0];
        s.k_bits[size_t(l)] = quantized->quantized_bits(KvRole::kKey, l);
      } else {
        s.fp_keys[size_t(l)] = at::ones({T}, at::kBool);
      }
    }

    InspectSummary out;
    for (int32_t id : ids) out.tokens << token_label(*s.model->tokenizer, id);
    out.n_layers = int(c.n_layers), out.n_heads = int(c.n_heads), out.n_kv_heads = int(c.n_kv_heads), out.head_dim = int(c.head_dim);
    out.adjacent_rope_pairs = c.rope_style == RopeStyle::kAdjacent;
    out.k_type = r.k_type, out.v_type = r.v_type;
    out.codec_rotates = s.capture.get(Tap::kKStored, 0).defined();
    std::vector<at::Tensor> massive, sink;
    for (int l = 0; l < c.n_layers; ++l) {
      massive.push_back(std::get<0>(s.capture.get(Tap::kLayerInput, l)[0].abs().max(-1)));  // [T]
      const at::Tensor p = s.capture.get(Tap::kAttnProbs, l)[0];                       // [Hq, T, S]
      sink.push_back(T > 1 ? p.narrow(1, 1, T - 1).select(2, 0).mean(1) : p.select(2, 0).mean(1));  // [Hq]
    }
    out.massive = grid_from_tensor(at::stack(massive));
    out.sink_share = grid_from_tensor(at::stack(sink));
    s.analyzed = true;
    Q_EMIT analyzed(out);
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(first_line(e.what())));
  }
}

void InspectorWorker::select(int layer, int kv_head, int q_head) {
  try {
    if (!state_ || !state_->analyzed) fail(ErrorKind::kInvalidArgument, "run Analyze first");
    const State& s = *state_;
    const ModelConfig& c = s.model->config;
    if (layer < 0 || layer >= c.n_layers || kv_head < 0 || kv_head >= c.n_kv_heads || q_head < 0 || q_head >= c.n_heads)
      fail(ErrorKind::kInvalidArgument, "layer/head out of range");
    const int64_t hd = c.head_dim;
    InspectLayer out;
    out.layer = layer, out.kv_head = kv_head, out.q_head = q_head;

    const at::Tensor k = s.capture.get(Tap::kKPostRope, layer)[0][kv_head];  // [T, hd]
    const at::Tensor v = s.capture.get(Tap::kV, layer)[0][kv_head];
    // The storage basis (after the codec's rotation and reorder), this head's columns; codecs
    // without a rotation store the post-RoPE keys themselves.
    const at::Tensor ks = s.capture.get(Tap::kKStored, layer), vs = s.capture.get(Tap::kVStored, layer);
    const at::Tensor k_after = ks.defined() ? ks[0].narrow(1, kv_head * hd, hd) : k;
    const at::Tensor v_after = vs.defined() ? vs[0].narrow(1, kv_head * hd, hd) : v;
    out.k_channel_max_before = vector_from_tensor(std::get<0>(k.abs().max(0)));
    out.k_channel_max_after = vector_from_tensor(std::get<0>(k_after.abs().max(0)));
    out.k_before = grid_from_tensor(k.abs());
    out.k_after = grid_from_tensor(k_after.abs());
    out.v_before = grid_from_tensor(v.abs());
    out.v_after = grid_from_tensor(v_after.abs());

    const int64_t T = k.size(0);
    const at::Tensor kd = s.capture.get(Tap::kKDequant, layer)[0][kv_head].narrow(0, 0, T);
    const at::Tensor vd = s.capture.get(Tap::kVDequant, layer)[0][kv_head].narrow(0, 0, T);
    const at::Tensor ke = k - kd, ve = v - vd;
    out.k_error = vector_from_tensor(ke.flatten());
    out.v_error = vector_from_tensor(ve.flatten());
    out.k_rel_error = vector_from_tensor(ke.norm(2, {1}) / k.norm(2, {1}).clamp_min(1e-12));
    out.v_rel_error = vector_from_tensor(ve.norm(2, {1}) / v.norm(2, {1}).clamp_min(1e-12));
    const at::Tensor fp = s.fp_keys[size_t(layer)].narrow(0, 0, T);
    for (int64_t t = 0; t < T; ++t) out.k_bits.push_back(fp[t].item<bool>() ? 0 : s.k_bits[size_t(layer)]);

    const at::Tensor probs = s.capture.get(Tap::kAttnProbs, layer)[0];  // [Hq, T, S]
    const at::Tensor map = probs[q_head].narrow(1, 0, T);
    out.attention = grid_from_tensor(map);
    out.attention_received = vector_from_tensor(map.sum(0));
    out.attention_received_layer = vector_from_tensor(probs.narrow(2, 0, T).sum(1).mean(0));
    Q_EMIT layerReady(out);
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(first_line(e.what())));
  }
}

}  // namespace qs::workbench
