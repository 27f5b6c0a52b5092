#pragma once
// One io_context per event-loop thread. A connection lives on one context for its whole life, so
// its handlers never run concurrently and need no strand; work a connection starts (an upstream
// call) runs on the same context via current().

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace tiergate::http {

class IoPool {
 public:
  explicit IoPool(int threads);  // 0 = one per core
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  size_t size() const { return contexts_.size(); }
  boost::asio::io_context& at(size_t i) { return *contexts_[i]; }
  // Round-robin, for new connections.
  boost::asio::io_context& next();
  // The context of the calling event-loop thread, or next() from any other thread.
  boost::asio::io_context& current();
  // Index of the calling thread's context, or -1 off the pool.
  static int current_index();

  void start();  // runs every context on its own thread
  void stop();   // stops the loops and joins the threads
  void join();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace tiergate::http
