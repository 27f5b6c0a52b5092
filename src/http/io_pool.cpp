#include "http/io_pool.h"

#include <spdlog/spdlog.h>

namespace tiergate::http {
namespace {
thread_local int t_index = -1;
thread_local IoPool* t_pool = nullptr;
}  // namespace

IoPool::IoPool(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

IoPool::~IoPool() {
  stop();
  join();
}

boost::asio::io_context& IoPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

boost::asio::io_context& IoPool::current() {
  if (t_pool == this && t_index >= 0) return *contexts_[t_index];
  return next();
}

int IoPool::current_index() { return t_index; }

void IoPool::start() {
  for (size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      t_index = static_cast<int>(i);
      t_pool = this;
      for (;;) {
        try {
          contexts_[i]->run();
          break;
        } catch (const std::exception& e) {
          // A handler threw: log it and keep serving everyone else on this thread.
          spdlog::error("event loop {}: unhandled exception: {}", i, e.what());
        }
      }
    });
  }
}

void IoPool::stop() {
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
}

void IoPool::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace tiergate::http
