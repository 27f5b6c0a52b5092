#include "gateway/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace tiergate::gateway {

std::optional<std::string> Authenticator::tenant_for(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      CRYPTO_memcmp(authorization.data(), kBearer.data(), kBearer.size()) != 0)
    return std::nullopt;
  std::string_view key = authorization.substr(kBearer.size());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  const config::ApiKey* match = nullptr;
  for (const auto& k : config_.keys) {
    bool equal = CRYPTO_memcmp(digest, k.sha256.data(), SHA256_DIGEST_LENGTH) == 0;
    if (equal && !match) match = &k;  // keep looping: the time does not depend on the position
  }
  if (!match) return std::nullopt;
  return match->tenant;
}

}  // namespace tiergate::gateway
