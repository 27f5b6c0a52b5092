// routing.privacy parsing (errors name their keys), the policy decision, audit rendering, and the
// checksum / range validators.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "route/signals/privacy/policy.h"
#include "route/signals/privacy/privacy_config.h"
#include "route/signals/privacy/validators.h"

namespace tiergate::privacy {
namespace {

struct Parsed {
  PrivacyConfig config;
  std::vector<std::string> errors;
};

Parsed parse(const std::string& yaml) {
  Parsed p;
  YAML::Node root = YAML::Load(yaml);
  config::YamlReader routing(root["routing"], "routing", &p.errors);
  config::YamlReader privacy = routing.nested("privacy");
  p.config = parse_privacy_config(privacy);
  return p;
}

bool has_error(const Parsed& p, const std::string& needle) {
  for (const auto& e : p.errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

TEST(PrivacyConfig, DefaultsToStrict) {
  Parsed p = parse("routing: {}");
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.config.mode, PrivacyMode::kStrict);
  EXPECT_TRUE(p.config.enabled[static_cast<size_t>(EntityType::kEmail)]);
}

TEST(PrivacyConfig, ParsesEveryKey) {
  Parsed p = parse(R"(
routing:
  privacy:
    mode: redact
    disable: [street_address, high_entropy]
    entropy_threshold: 3.8
    entropy_min_length: 24
    max_candidates: 5000
    custom_entities:
      - name: customer_id
        regex: 'CUST-[0-9]{8}'
      - name: project
        words: [Bluebird, Nightjar]
        case_insensitive: true
    tenants:
      acme: {mode: off}
      bank: {mode: strict}
)");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0];
  const PrivacyConfig& c = p.config;
  EXPECT_EQ(c.mode, PrivacyMode::kRedact);
  EXPECT_FALSE(c.enabled[static_cast<size_t>(EntityType::kStreetAddress)]);
  EXPECT_FALSE(c.enabled[static_cast<size_t>(EntityType::kHighEntropy)]);
  EXPECT_TRUE(c.enabled[static_cast<size_t>(EntityType::kCard)]);
  EXPECT_DOUBLE_EQ(c.entropy_threshold, 3.8);
  EXPECT_EQ(c.entropy_min_length, 24);
  EXPECT_EQ(c.max_candidates, 5000);
  ASSERT_EQ(c.custom_entities.size(), 2u);
  EXPECT_EQ(c.custom_entities[0].regex, "CUST-[0-9]{8}");
  EXPECT_EQ(c.custom_entities[1].words, (std::vector<std::string>{"Bluebird", "Nightjar"}));
  EXPECT_TRUE(c.custom_entities[1].case_insensitive);
  EXPECT_EQ(c.tenants.at("acme"), PrivacyMode::kOff);
  EXPECT_EQ(c.tenants.at("bank"), PrivacyMode::kStrict);
}

TEST(PrivacyConfig, ErrorsNameTheirKeys) {
  Parsed p = parse(R"(
routing:
  privacy:
    mode: loose
    disable: [emails]
    entropy_threshold: 12
    colour: blue
    custom_entities:
      - name: Bad-Name
        regex: 'CUST-[0-9'
      - name: both
        regex: 'x'
        words: [y]
      - words: [z]
        extra: 1
    tenants:
      acme: {}
      beta: {mode: maybe}
)");
  EXPECT_TRUE(has_error(p, "routing.privacy.mode: must be strict, redact or off"));
  EXPECT_TRUE(has_error(p, "routing.privacy.disable: unknown entity type 'emails'"));
  EXPECT_TRUE(has_error(p, "routing.privacy.entropy_threshold: must be between"));
  EXPECT_TRUE(has_error(p, "routing.privacy.colour: unknown key"));
  EXPECT_TRUE(has_error(p, "routing.privacy.custom_entities[0].name: must be 1-48 characters"));
  EXPECT_TRUE(has_error(p, "routing.privacy.custom_entities[0].regex: does not compile"));
  EXPECT_TRUE(
      has_error(p, "routing.privacy.custom_entities[1].regex: exactly one of regex and words"));
  EXPECT_TRUE(has_error(p, "routing.privacy.custom_entities[2].name: is required"));
  EXPECT_TRUE(has_error(p, "routing.privacy.custom_entities[2].extra: unknown key"));
  EXPECT_TRUE(has_error(p, "routing.privacy.tenants.acme.mode: is required"));
  EXPECT_TRUE(has_error(p, "routing.privacy.tenants.beta.mode: must be strict, redact or off"));
}

TEST(PrivacyPolicy, EffectiveMode) {
  PrivacyConfig c;
  c.mode = PrivacyMode::kRedact;
  c.tenants["acme"] = PrivacyMode::kOff;
  EXPECT_EQ(effective_mode(c, "", ""), PrivacyMode::kRedact);
  EXPECT_EQ(effective_mode(c, "acme", ""), PrivacyMode::kOff);
  EXPECT_EQ(effective_mode(c, "other", ""), PrivacyMode::kRedact);
  EXPECT_EQ(effective_mode(c, "acme", " High "), PrivacyMode::kStrict);
  EXPECT_EQ(effective_mode(c, "", "high"), PrivacyMode::kStrict);
  EXPECT_EQ(effective_mode(c, "", "low"), PrivacyMode::kRedact);
}

TEST(PrivacyPolicy, Actions) {
  PrivacyScan clean, email, failed;
  email.add(EntityType::kEmail);
  failed.failed = true;
  EXPECT_EQ(decide_privacy_action(PrivacyMode::kStrict, clean), PrivacyAction::kNone);
  EXPECT_EQ(decide_privacy_action(PrivacyMode::kStrict, email), PrivacyAction::kPinTrusted);
  EXPECT_EQ(decide_privacy_action(PrivacyMode::kRedact, email), PrivacyAction::kRedact);
  EXPECT_EQ(decide_privacy_action(PrivacyMode::kOff, email), PrivacyAction::kNone);
  // Fail closed: a failed scan is sensitive; redaction cannot be trusted, so pin.
  EXPECT_EQ(decide_privacy_action(PrivacyMode::kStrict, failed), PrivacyAction::kPinTrusted);
  EXPECT_EQ(decide_privacy_action(PrivacyMode::kRedact, failed), PrivacyAction::kPinTrusted);
  EXPECT_EQ(privacy_action_name(PrivacyAction::kPinTrusted), "pinned");
  EXPECT_EQ(privacy_action_name(PrivacyAction::kRedact), "redacted");
}

TEST(PrivacyPolicy, RefusalNamesTypesNotValues) {
  PrivacyScan s;
  s.add(EntityType::kEmail, 2);
  s.add(EntityType::kCard);
  Error e = privacy_refusal(s);
  EXPECT_EQ(e.code, ErrorCode::kForbidden);
  EXPECT_EQ(e.source, ErrorSource::kClient);
  EXPECT_NE(e.message.find("email=2,card=1"), std::string::npos);
  EXPECT_EQ(render_counts(s), "email=2,card=1");
  std::vector<std::pair<EntityType, uint32_t>> seen;
  s.for_each_count([&](EntityType t, uint32_t n) { seen.emplace_back(t, n); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(EntityType::kEmail, 2u));
  EXPECT_EQ(seen[1], std::make_pair(EntityType::kCard, 1u));
}

TEST(PrivacyValidators, Luhn) {
  EXPECT_TRUE(luhn_valid("4111111111111111"));
  EXPECT_TRUE(luhn_valid("79927398713"));
  EXPECT_FALSE(luhn_valid("4111111111111112"));
  EXPECT_FALSE(luhn_valid(""));
  EXPECT_FALSE(luhn_valid("4111a11111111111"));
  EXPECT_TRUE(card_brand_valid("378282246310005"));    // Amex, 15
  EXPECT_FALSE(card_brand_valid("37828224631000"));    // Amex, 14
  EXPECT_FALSE(card_brand_valid("9111111111111111"));  // no network
}

TEST(PrivacyValidators, IbanMod97AndLengths) {
  EXPECT_TRUE(iban_valid("DE89370400440532013000"));
  EXPECT_TRUE(iban_valid("GB29NWBK60161331926819"));
  EXPECT_TRUE(iban_valid("gb29nwbk60161331926819"));
  EXPECT_FALSE(iban_valid("DE89370400440532013001"));  // checksum
  EXPECT_FALSE(iban_valid("DE8937040044053201300"));   // length for DE
  EXPECT_FALSE(iban_valid("XX89370400440532013000"));  // country
  EXPECT_EQ(iban_country_length('n', 'o'), 15);
}

TEST(PrivacyValidators, SsnRanges) {
  EXPECT_TRUE(ssn_valid("123456789"));
  EXPECT_TRUE(ssn_valid("899990001"));
  EXPECT_FALSE(ssn_valid("000123456"));
  EXPECT_FALSE(ssn_valid("666123456"));
  EXPECT_FALSE(ssn_valid("900123456"));
  EXPECT_FALSE(ssn_valid("123004567"));
  EXPECT_FALSE(ssn_valid("123450000"));
  EXPECT_FALSE(ssn_valid("12345678"));
}

TEST(PrivacyValidators, IpAndJwtAndEntropy) {
  EXPECT_TRUE(ipv4_valid("255.255.255.255"));
  EXPECT_FALSE(ipv4_valid("256.1.1.1"));
  EXPECT_FALSE(ipv4_valid("01.2.3.4"));
  EXPECT_TRUE(ipv6_valid("2001:db8::1"));
  EXPECT_TRUE(ipv6_valid("::"));
  EXPECT_TRUE(ipv6_valid("::ffff:192.0.2.1"));
  EXPECT_TRUE(ipv6_valid("1:2:3:4:5:6:7:8"));
  EXPECT_FALSE(ipv6_valid("1:2:3:4:5:6:7"));
  EXPECT_FALSE(ipv6_valid("1::2::3"));
  EXPECT_FALSE(ipv6_valid("12345::1"));
  EXPECT_TRUE(jwt_header_valid("eyJhbGciOiJIUzI1NiJ9"));  // {"alg":"HS256"}
  EXPECT_FALSE(jwt_header_valid("eyJmb28iOiJiYXIifQ"));   // {"foo":"bar"}
  EXPECT_DOUBLE_EQ(shannon_entropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("abcd"), 2.0);
}

}  // namespace
}  // namespace tiergate::privacy
