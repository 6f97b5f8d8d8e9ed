#include "app/models/mri_study.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>

namespace qs::workbench {
namespace {
constexpr const char* kFormat = "quantiscope-mri-study";
constexpr int kVersion = 1;
}  // namespace

bool MriStudy::operator==(const MriStudy& o) const {
  return volume_path == o.volume_path && plane == o.plane && slice == o.slice && mask_type == o.mask_type && acceleration == o.acceleration &&
         center_fraction == o.center_fraction && seed == o.seed && methods == o.methods && options == o.options;
}

QByteArray mri_study_to_json(const MriStudy& s) {
  QJsonObject options;
  for (const auto& [method, values] : s.options) {
    QJsonObject o;
    for (const auto& [name, value] : values) o.insert(name, value);
    options.insert(method, o);
  }
  const QJsonObject root{{"format", kFormat},
                         {"version", kVersion},
                         {"volume", s.volume_path},
                         {"plane", s.plane},
                         {"slice", s.slice},
                         {"mask", QJsonObject{{"type", s.mask_type}, {"acceleration", s.acceleration}, {"center_fraction", s.center_fraction}, {"seed", s.seed}}},
                         {"methods", QJsonArray::fromStringList(s.methods)},
                         {"options", options}};
  return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool mri_study_from_json(const QByteArray& json, MriStudy* out, QString* error) {
  QJsonParseError pe;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
  if (pe.error != QJsonParseError::NoError) {
    *error = QObject::tr("not valid JSON: %1 at byte %2").arg(pe.errorString()).arg(pe.offset);
    return false;
  }
  const QJsonObject root = doc.object();
  if (root.value("format").toString() != kFormat || root.value("version").toInt() != kVersion) {
    *error = QObject::tr("not a Quantiscope MRI study of version %1").arg(kVersion);
    return false;
  }
  MriStudy s;
  s.volume_path = root.value("volume").toString();
  s.plane = root.value("plane").toInt(-1);
  s.slice = root.value("slice").toInt(-1);
  const QJsonObject mask = root.value("mask").toObject();
  s.mask_type = mask.value("type").toString();
  s.acceleration = mask.value("acceleration").toDouble(0);
  s.center_fraction = mask.value("center_fraction").toDouble(-1);
  s.seed = mask.value("seed").toInt(-1);
  for (const QJsonValue& m : root.value("methods").toArray()) s.methods << m.toString();
  const QJsonObject options = root.value("options").toObject();
  for (auto it = options.begin(); it != options.end(); ++it) {
    const QJsonObject o = it.value().toObject();
    for (auto jt = o.begin(); jt != o.end(); ++jt) s.options[it.key()][jt.key()] = jt.value().toString();
  }
  if (s.plane < 0 || s.plane > 2 || s.slice < 0 || s.mask_type.isEmpty() || !(s.acceleration >= 1) || s.seed < 0 ||
      !(s.center_fraction == -1 || (s.center_fraction > 0 && s.center_fraction < 1))) {
    *error = QObject::tr("MRI study: a field is out of range (plane 0..2, slice >= 0, a mask type, acceleration >= 1, seed >= 0, centre in (0, 1) or -1)");
    return false;
  }
  *out = s;
  return true;
}

}  // namespace qs::workbench
