#pragma once
// Live counters of the HTTP server, shared with the metrics exposition. Written by the event loops
// with relaxed atomics; read by anyone.

#include <atomic>
#include <cstdint>

namespace tiergate::http {

struct ServerStats {
  std::atomic<int64_t> open_connections{0};
  // New connections refused at accept: over `limits.max_connections`, over
  // `limits.max_connections_per_ip`.
  std::atomic<uint64_t> refused_max_connections{0};
  std::atomic<uint64_t> refused_per_ip{0};
  // Connections closed because the client read its response too slowly (or not at all).
  std::atomic<uint64_t> slow_readers_closed{0};
};

}  // namespace tiergate::http
