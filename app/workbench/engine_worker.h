// What the workspaces' workers share: a QObject that lives on its own thread and a cancellation
// token the GUI thread may set at any time. The GUI resets the token just before it queues
// work, so a Cancel pressed before the worker picks the work up is not lost.
#pragma once
#include <QObject>
#include <QThread>

#include "core/common/cancel.h"

namespace qs::workbench {

// No signals of its own (so no Q_OBJECT): each worker declares its own.
class EngineWorker : public QObject {
 public:
  void cancel() { cancel_.cancel(); }      // thread-safe
  void resetCancel() { cancel_.reset(); }  // thread-safe

 protected:
  CancelToken cancel_;
};

// Owns the thread a worker runs on: starts it at once; on destruction cancels the work in
// flight, ends the thread and deletes the worker there.
class WorkerThread {
 public:
  explicit WorkerThread(EngineWorker* worker) : worker_(worker) {
    worker_->moveToThread(&thread_);
    QObject::connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.start();
  }
  ~WorkerThread() {
    worker_->cancel();
    thread_.quit();
    thread_.wait();
  }
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

 private:
  QThread thread_;
  EngineWorker* worker_;
};

}  // namespace qs::workbench
