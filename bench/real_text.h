#pragma once
// Real text for the privacy benchmarks, read from what every Debian 12 build machine of this
// project has installed (so the same bytes on every such machine, for the same package versions):
//   kCode:      C++ headers, /usr/include/c++/12 then /usr/include/boost/asio (g++-12, Boost);
//   kPython:    the Python standard library, /usr/lib/python3.11 without its tests;
//   kCopyright: Debian's /usr/share/doc/*/copyright files: licences, paths, and real names, e-mail
//               addresses and years of the packages' authors (the personal data of real text).
// Files in sorted path order, concatenated (a newline after each), cut at `limit`; not repeated.
// Empty when the directories are missing.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace tiergate::bench {

enum class RealText { kCode, kPython, kCopyright };

inline std::string_view real_text_name(RealText which) {
  switch (which) {
    case RealText::kCode:
      return "C++ headers (libstdc++ 12, Boost.Asio)";
    case RealText::kPython:
      return "Python 3.11 standard library";
    case RealText::kCopyright:
      return "Debian copyright files";
  }
  return "";
}

inline std::string real_text(RealText which, size_t limit = 16 << 20) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  // The files below `root` that pass `keep`, in sorted order after those collected before.
  auto tree = [&](const fs::path& root, auto keep) {
    const size_t first = files.size();
    if (!fs::is_directory(root, ec)) return;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && keep(it->path())) files.push_back(it->path());
    std::sort(files.begin() + static_cast<std::ptrdiff_t>(first), files.end());
  };
  switch (which) {
    case RealText::kCode:
      tree("/usr/include/c++/12", [](const fs::path&) { return true; });
      tree("/usr/include/boost/asio", [](const fs::path&) { return true; });
      break;
    case RealText::kPython:
      tree("/usr/lib/python3.11", [](const fs::path& p) {
        const std::string s = p.string();
        return p.extension() == ".py" && s.find("/test/") == s.npos && s.find("/tests/") == s.npos;
      });
      break;
    case RealText::kCopyright:
      if (fs::is_directory("/usr/share/doc", ec))
        for (const auto& d : fs::directory_iterator("/usr/share/doc", ec))
          if (fs::is_regular_file(d.path() / "copyright", ec)) files.push_back(d.path() / "copyright");
      std::sort(files.begin(), files.end());
      break;
  }
  std::string all;
  for (const fs::path& f : files) {
    if (all.size() >= limit) break;
    std::ifstream in(f, std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    all += '\n';
  }
  if (all.size() > limit) all.resize(limit);
  return all;
}

}  // namespace tiergate::bench
