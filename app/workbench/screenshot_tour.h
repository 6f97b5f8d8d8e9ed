// The docs tour: drives every workspace on the real assets and saves the pictures under
// docs/screenshots/ (tools/screenshots.sh runs it). Returns 0 when every picture was taken.
#pragma once
#include <QString>

namespace qs::workbench {

class MainWindow;

struct TourOptions {
  QString out_dir;
  QString model;   // GGUF for the chat and the inspector
  QString volume;  // MRI volume
  int width = 1500, height = 950;  // the window's size for every picture
};

int run_screenshot_tour(MainWindow& window, const TourOptions& options);

}  // namespace qs::workbench
