// What a user set up in the MRI workspace and would not want to set up again after a crash: the
// volume, the plane and slice, the undersampling mask and the methods with their options.
// Stored as JSON (the workspace's autosave); reading checks every field and says which is wrong.
#pragma once
#include <QByteArray>
#include <QString>
#include <QStringList>
#include <map>

namespace qs::workbench {

struct MriStudy {
  QString volume_path;
  int plane = 0, slice = 0;  // SliceSync::Plane as an int, the slice in that plane
  QString mask_type = "random";
  double acceleration = 4, center_fraction = -1;  // -1: the mask type's default
  int seed = 0;
  QStringList methods;  // ticked
  std::map<QString, std::map<QString, QString>> options;  // method -> option -> value as typed
  bool operator==(const MriStudy& o) const;
};

QByteArray mri_study_to_json(const MriStudy& s);
// False with `error` set for malformed JSON, another format or version, or a field out of range.
bool mri_study_from_json(const QByteArray& json, MriStudy* out, QString* error);

}  // namespace qs::workbench
