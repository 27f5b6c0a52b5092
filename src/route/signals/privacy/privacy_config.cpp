#include "route/signals/privacy/privacy_config.h"

#include <fmt/format.h>
#include <hs/hs.h>

namespace tiergate::privacy {
namespace {

bool parse_mode(const std::string& s, PrivacyMode* out) {
  if (s == "strict")
    *out = PrivacyMode::kStrict;
  else if (s == "redact")
    *out = PrivacyMode::kRedact;
  else if (s == "off")
    *out = PrivacyMode::kOff;
  else
    return false;
  return true;
}

void read_mode(config::YamlReader& r, PrivacyMode* mode) {
  if (auto s = r.str("mode")) {
    if (!parse_mode(*s, mode)) r.error("mode", "must be strict, redact or off");
  }
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 48) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// Compiles the expression alone so a bad regex fails start-up with its key, not the whole DB.
std::string regex_error(const std::string& regex, bool caseless) {
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  unsigned flags = HS_FLAG_SOM_LEFTMOST | (caseless ? HS_FLAG_CASELESS : 0);
  if (hs_compile(regex.c_str(), flags, HS_MODE_BLOCK, nullptr, &db, &err) == HS_SUCCESS) {
    hs_free_database(db);
    return {};
  }
  std::string msg = err && err->message ? err->message : "does not compile";
  hs_free_compile_error(err);
  return msg;
}

// Reports errors collected by an element reader (paths relative to `parent`) through `parent`,
// so they carry the full path. YamlReader has no element-of-a-list accessor.
void forward_errors(config::YamlReader& parent, const std::vector<std::string>& errors) {
  for (const auto& e : errors) {
    const size_t colon = e.find(": ");
    if (colon == std::string::npos)
      parent.error("", e);
    else
      parent.error(e.substr(0, colon), e.substr(colon + 2));
  }
}

}  // namespace

std::string_view privacy_mode_name(PrivacyMode mode) {
  switch (mode) {
    case PrivacyMode::kStrict:
      return "strict";
    case PrivacyMode::kRedact:
      return "redact";
    case PrivacyMode::kOff:
      return "off";
  }
  return "strict";
}

PrivacyConfig parse_privacy_config(config::YamlReader& r) {
  PrivacyConfig cfg;
  try {
    read_mode(r, &cfg.mode);
    for (const std::string& name : r.strings("disable")) {
      EntityType t;
      if (!parse_entity_type(name, &t) || t == EntityType::kCustom) {
        r.error("disable", fmt::format("unknown entity type '{}'", name));
        continue;
      }
      cfg.enabled[static_cast<size_t>(t)] = false;
    }
    cfg.entropy_threshold = r.number("entropy_threshold", cfg.entropy_threshold, 1.0, 8.0);
    cfg.entropy_min_length =
        static_cast<int>(r.integer("entropy_min_length", cfg.entropy_min_length, 8, 1024));
    cfg.max_candidates = r.integer("max_candidates", cfg.max_candidates, 1024, int64_t{1} << 30);

    YAML::Node list = r.child("custom_entities");
    if (list.IsDefined() && !list.IsNull() && !list.IsSequence()) {
      r.error("custom_entities", "must be a list");
    } else if (list.IsSequence()) {
      for (size_t i = 0; i < list.size(); ++i) {
        std::vector<std::string> errors;
        config::YamlReader e(list[i], fmt::format("custom_entities[{}]", i), &errors);
        CustomEntity ce;
        ce.name = e.required_str("name");
        if (!ce.name.empty() && !valid_name(ce.name))
          e.error("name", "must be 1-48 characters of a-z, 0-9 and _");
        for (const auto& other : cfg.custom_entities)
          if (!ce.name.empty() && other.name == ce.name) e.error("name", "is used twice");
        ce.case_insensitive = e.boolean("case_insensitive", false);
        ce.regex = e.str("regex", "");
        ce.words = e.strings("words");
        if (ce.regex.empty() == ce.words.empty()) {
          e.error("regex", "exactly one of regex and words is required");
        } else if (!ce.regex.empty()) {
          std::string err = regex_error(ce.regex, ce.case_insensitive);
          if (!err.empty()) e.error("regex", fmt::format("does not compile: {}", err));
        } else {
          for (const auto& w : ce.words)
            if (w.empty()) e.error("words", "must not contain an empty word");
        }
        e.reject_unknown();
        forward_errors(r, errors);
        cfg.custom_entities.push_back(std::move(ce));
      }
    }

    YAML::Node tenants = r.child("tenants");
    if (tenants.IsDefined() && !tenants.IsNull() && !tenants.IsMap()) {
      r.error("tenants", "must be a mapping of tenant name to {mode: ...}");
    } else if (tenants.IsMap()) {
      config::YamlReader tr = r.nested("tenants");
      for (const auto& kv : tenants) {
        const std::string name = kv.first.as<std::string>("");
        config::YamlReader t = tr.nested(name);
        PrivacyMode mode = cfg.mode;
        if (!t.has("mode")) t.error("mode", "is required");
        read_mode(t, &mode);
        t.reject_unknown();
        cfg.tenants[name] = mode;
      }
    }
    r.reject_unknown();
  } catch (const YAML::Exception& e) {
    r.error("", fmt::format("invalid YAML: {}", e.what()));
  }
  return cfg;
}

}  // namespace tiergate::privacy
