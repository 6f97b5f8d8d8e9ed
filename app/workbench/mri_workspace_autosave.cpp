// The MRI workspace's study as data, and its autosave (see mri_workspace.h).
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QGroupBox>
#include <QLineEdit>
#include <QSaveFile>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTimer>

#include "app/workbench/mri_workspace.h"

namespace qs::workbench {

MriStudy MriWorkspace::study() const {
  MriStudy s;
  s.volume_path = volume_.path;
  s.plane = int(sync_.plane());
  s.slice = sync_.slice();
  s.mask_type = mask_type_->currentText();
  s.acceleration = accel_->value();
  s.center_fraction = center_->value() <= 0 ? -1 : center_->value();
  s.seed = seed_->value();
  for (const auto& [name, c] : methods_) {
    if (c.box->isChecked()) s.methods << name;
    for (const auto& [opt, edit] : c.options)
      if (!edit->text().trimmed().isEmpty()) s.options[name][opt] = edit->text().trimmed();
  }
  return s;
}

void MriWorkspace::applyStudy(const MriStudy& s) {
  setMask(s.mask_type, s.acceleration, s.center_fraction, s.seed);
  setMethodsChecked(s.methods);
  for (const auto& [method, values] : s.options)
    for (const auto& [name, value] : values) setMethodOption(method, name, value);
  if (s.volume_path.isEmpty()) return;
  if (s.volume_path != volume_.path) {
    view_pending_ = true, pending_plane_ = s.plane, pending_slice_ = s.slice;
    openVolume(s.volume_path);
    return;
  }
  sync_.setPlane(Plane(s.plane));
  sync_.setSlice(s.slice);
}

QString MriWorkspace::autosavePath() const {
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/autosave/mri-study.json";
}

void MriWorkspace::autosave() {
  if (volume_.path.isEmpty()) return;
  const QByteArray json = mri_study_to_json(study());
  if (json == last_autosave_) return;
  const QString path = autosavePath();
  QDir().mkpath(QFileInfo(path).absolutePath());
  QSaveFile f(path);  // written whole or not at all
  if (f.open(QIODevice::WriteOnly) && f.write(json) >= 0 && f.commit()) {
    last_autosave_ = json;
    return;
  }
  static bool warned = false;  // one line, not one every 5 s
  if (!warned) {
    warned = true;
    Q_EMIT logMessage(tr("autosave: cannot write %1; the MRI study is not protected against a crash").arg(path));
  }
}

void MriWorkspace::discardAutosave() {
  autosave_timer_->stop();
  QFile::remove(autosavePath());
  last_autosave_.clear();
}

void MriWorkspace::restoreAutosave() {
  const QString path = autosavePath();
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return;
  const QByteArray json = f.readAll();
  f.close();
  MriStudy s;
  QString error;
  if (!mri_study_from_json(json, &s, &error)) {
    const QString aside = path + ".unreadable";  // never delete what may be the only copy
    QFile::remove(aside);
    QFile::rename(path, aside);
    Q_EMIT logMessage(tr("autosave: could not restore the last MRI study (%1); kept as %2").arg(error, aside));
    return;
  }
  last_autosave_ = json;
  applyStudy(s);
  Q_EMIT logMessage(tr("restored the MRI study autosaved before the last exit (%1)").arg(s.volume_path));
  Q_EMIT autosaveRestored(path);
}

}  // namespace qs::workbench
