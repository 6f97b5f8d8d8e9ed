// Runs the KV Inspector's engine work on its own thread: one prefill of the text through the
// model with the chosen K/V codec and the taps attached, then, for any (layer, KV head, query
// head), the plain data every inspector plot draws. Nothing here is simulated: each number is
// read from the tensors the forward pass used.
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "app/workbench/engine_worker.h"
#include "core/common/grid.h"

namespace qs::workbench {

struct InspectRequest {
  QString text;
  QString k_type = "rotatekv-2", v_type = "rotatekv-2";
  QString kv_options;  // "key=value,..." as quantiscope --kv-opt (e.g. reorder=none)
  int max_tokens = 256;
};

struct InspectSummary {
  QStringList tokens;
  int n_layers = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0;
  bool adjacent_rope_pairs = false;  // GGUF/llama.cpp layout: pairs (2i, 2i+1); else (i, i + hd/2)
  bool codec_rotates = false;        // the storage basis differs from the post-RoPE keys
  QString k_type, v_type;
  Grid massive;        // layers x tokens: max |h| of each layer's input
  Grid sink_share;     // layers x query heads: attention on token 0, averaged over queries 1..T-1
};

struct InspectLayer {
  int layer = 0, kv_head = 0, q_head = 0;
  std::vector<double> k_channel_max_before, k_channel_max_after;  // hd values
  Grid k_before, k_after, v_before, v_after;  // tokens x hd: |x| in the plain and the storage basis
  std::vector<double> k_error, v_error;       // x - dequant(x), every element of the head
  std::vector<double> k_rel_error, v_rel_error;  // per token ||x - x^|| / ||x||
  std::vector<int> k_bits;                    // per token: 0 = full precision, else bits
  Grid attention;                             // queries x keys (the query head)
  std::vector<double> attention_received;     // column sums
  std::vector<double> attention_received_layer;  // column sums averaged over the layer's query heads
};

class InspectorWorker : public EngineWorker {
  Q_OBJECT
 public:
  InspectorWorker();
  ~InspectorWorker() override;

 public Q_SLOTS:
  void loadModel(const QString& path);
  void analyze(const qs::workbench::InspectRequest& request);
  void select(int layer, int kv_head, int q_head);
  // RotateKV's channel reorder for the open model from a text file (calibrate_default_reorder);
  // `codec` then names the model's new default codec.
  void calibrate(const QString& text_path, long long max_tokens, bool overwrite);

 Q_SIGNALS:
  void calibrated(const QString& path, const QString& summary, const QString& codec);
  // default_codec: the smallest registered codec that runs on this model as it is (RotateKV's
  // only when its reorder is calibrated or shipped); why: one line saying so.
  void modelLoaded(const QString& path, const QString& description, const QString& default_codec, const QString& why);
  void analyzed(const qs::workbench::InspectSummary& summary);
  void layerReady(const qs::workbench::InspectLayer& data);
  void failed(const QString& message);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace qs::workbench

Q_DECLARE_METATYPE(qs::workbench::InspectRequest)
Q_DECLARE_METATYPE(qs::workbench::InspectSummary)
Q_DECLARE_METATYPE(qs::workbench::InspectLayer)
