// Detection per entity type: the formats people write, and lookalikes that must stay unflagged.

#include <gtest/gtest.h>

#include "test_util.h"

namespace tiergate::privacy {
namespace {

using testing::findings;
using testing::Found;

// Asserts that `text` yields exactly one finding, of `label`, covering `value`.
void expect_one(std::string_view text, std::string_view label, std::string_view value) {
  Found f = findings(text);
  ASSERT_EQ(f.size(), 1u) << "in: " << text;
  EXPECT_EQ(f[0].first, label) << "in: " << text;
  EXPECT_EQ(f[0].second, value) << "in: " << text;
}

void expect_none(std::string_view text) {
  Found f = findings(text);
  EXPECT_TRUE(f.empty()) << "in: " << text << "\n  found " << (f.empty() ? "" : f[0].first) << ": '"
                         << (f.empty() ? "" : f[0].second) << "'";
}

TEST(PrivacyDetect, Email) {
  expect_one("write to jane.doe@example.com today", "EMAIL", "jane.doe@example.com");
  expect_one("Mail: <J.Smith+billing@mail.corp-x.co.uk>.", "EMAIL",
             "J.Smith+billing@mail.corp-x.co.uk");
  expect_one("mailto:ops_team99@sub.example.technology?subject=hi", "EMAIL",
             "ops_team99@sub.example.technology");
  expect_one("{\"email\":\"a.b@c.io\"}", "EMAIL", "a.b@c.io");
  expect_one("end of sentence bob@example.org.", "EMAIL", "bob@example.org");
  // The engine's regex started a match at most 320 bytes before its end: an address whose whole
  // domain ends further from the '@' is not one (only its shorter, invalid ends are in reach).
  expect_none("x@" + std::string(310, 'a') + ".example.com");
  expect_one("x@" + std::string(300, 'a') + ".example.com", "EMAIL",
             "x@" + std::string(300, 'a') + ".example.com");
}

TEST(PrivacyDetect, EmailLookalikes) {
  expect_none("ping @alice about the @Override annotation");
  expect_none("npm i @types/node and lodash@4.17.21");
  expect_none("ssh deploy@localhost then run it");
}

TEST(PrivacyDetect, PhoneInternational) {
  expect_one("call +14155552671 now", "PHONE", "+14155552671");
  expect_one("UK office: +44 20 7946 0958.", "PHONE", "+44 20 7946 0958");
  expect_one("Berlin +49 (0)30 1234 5678", "PHONE", "+49 (0)30 1234 5678");
  expect_one("mobile +33 6 12 34 56 78", "PHONE", "+33 6 12 34 56 78");
  expect_one("US +1 (415) 555-2671 ext", "PHONE", "+1 (415) 555-2671");
  expect_one("dial 0044 20 7946 0958", "PHONE", "0044 20 7946 0958");
  expect_one("+91-98765-43210", "PHONE", "+91-98765-43210");
}

TEST(PrivacyDetect, PhoneNational) {
  expect_one("it is (415) 555-2671.", "PHONE", "(415) 555-2671");
  expect_one("it is 415-555-2671", "PHONE", "415-555-2671");
  expect_one("it is 415.555.2671", "PHONE", "415.555.2671");
  expect_one("London 020 7946 0958", "PHONE", "020 7946 0958");
  expect_one("Paris 06 12 34 56 78", "PHONE", "06 12 34 56 78");
  expect_one("Tokyo 03-1234-5678", "PHONE", "03-1234-5678");
  expect_one("Sydney (02) 9876 5432", "PHONE", "(02) 9876 5432");
  expect_one("call me on 4155552671", "PHONE", "4155552671");  // bare: context word
}

TEST(PrivacyDetect, PhoneLookalikes) {
  expect_none("order 4155552671 shipped");          // bare digits without context
  expect_none("released on 2024-01-15 at 14:30");   // date and time
  expect_none("pi is 3.14159265358979 roughly");    // decimal
  expect_none("ISBN 978-3-16-148410-0 is a book");  // ISBN
  expect_none("the sequence 0 1 1 2 3 5 8 13 21");  // list
  expect_none("call on 2024-03-15 about it");       // a date after a context word
}

TEST(PrivacyDetect, CardFormats) {
  expect_one("card 4111 1111 1111 1111 exp 12/27", "CARD", "4111 1111 1111 1111");
  expect_one("4111-1111-1111-1111", "CARD", "4111-1111-1111-1111");
  expect_one("pan=5555555555554444;", "CARD", "5555555555554444");
  expect_one("amex 3782 822463 10005", "CARD", "3782 822463 10005");
  expect_one("JCB 3530111333300000", "CARD", "3530111333300000");
  expect_one("objects=76876 4111 1111 1111 1111", "CARD", "4111 1111 1111 1111");
}

TEST(PrivacyDetect, CardLookalikes) {
  expect_none("number 4111 1111 1111 1112 fails Luhn");
  expect_none("1234 5678 9012 3456");            // no brand prefix, fails Luhn
  expect_none("x = 4111111111111111 * 3");       // bare digits in arithmetic
  expect_none("id 41111111111111110000 long");   // too long
  expect_none("DE09 4111 1111 1111 1111 03");    // inside a longer grouped number
  expect_none("Divide 4111111111111111 by 97");  // an operand
  expect_none("5800000000000001 passes Luhn; 58 is no card range");
}

TEST(PrivacyDetect, Iban) {
  expect_one("IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN", "DE89 3704 0044 0532 0130 00");
  expect_one("GB29NWBK60161331926819", "IBAN", "GB29NWBK60161331926819");
  expect_one("to FR14 2004 1010 0505 0001 3M02 606.", "IBAN", "FR14 2004 1010 0505 0001 3M02 606");
  expect_none("DE89 3704 0044 0532 0130 01");  // mod-97 fails
  expect_none("GB29NWBK6016133192681");        // wrong length for GB
}

TEST(PrivacyDetect, Ssn) {
  expect_one("SSN 123-45-6789", "SSN", "123-45-6789");
  expect_one("ssn: 123456789", "SSN", "123456789");
  expect_one("number 078 05 1120 on file", "SSN", "078 05 1120");
  expect_none("000-12-3456");
  expect_none("666-12-3456");
  expect_none("900-12-3456");
  expect_none("123-00-4567");
  expect_none("123-45-0000");
  expect_none("order 123456789 shipped");  // bare, no context
}

TEST(PrivacyDetect, IpAddresses) {
  expect_one("host 192.168.1.20 is up", "IP", "192.168.1.20");
  expect_one("connect to 10.0.0.1:8080", "IP", "10.0.0.1");
  expect_one("v6 2001:db8:85a3::8a2e:370:7334 ok", "IP", "2001:db8:85a3::8a2e:370:7334");
  expect_one("loopback ::1 only", "IP", "::1");
  expect_one("url http://[fe80::1ff:fe23:4567:890a]:80/", "IP", "fe80::1ff:fe23:4567:890a");
  expect_one("mapped ::ffff:192.0.2.128 here", "IP", "::ffff:192.0.2.128");
  expect_none("version 1.2.3.4 released");
  expect_none("build 10.0.19041.1 of Windows");
  expect_none("at 12:30:45 the std::vector<int> grew");
  expect_none("MAC 00:1A:2B:3C:4D:5E");
  expect_none("999.1.1.1 is not an address");
}

TEST(PrivacyDetect, StreetAddress) {
  expect_one("ship to 1600 Pennsylvania Avenue NW", "ADDRESS", "1600 Pennsylvania Avenue");
  expect_one("at 221B Baker Street, London", "ADDRESS", "221B Baker Street");
  expect_one("at 350 5th Ave", "ADDRESS", "350 5th Ave");
  expect_one("Hauptstraße 5, Berlin", "ADDRESS", "Hauptstraße 5");
  expect_one("10 rue de Rivoli", "ADDRESS", "10 rue de Rivoli");
  expect_none("the 9 Supreme Court justices");
  expect_none("read 3 The Long Way chapters");
}

TEST(PrivacyDetect, VendorKeys) {
  expect_one("AKIAIOSFODNN7EXAMPLE", "API_KEY", "AKIAIOSFODNN7EXAMPLE");
  expect_one("token ghp_16C7e42F292c6912E7710c838347Ae178B4a used", "API_KEY",
             "ghp_16C7e42F292c6912E7710c838347Ae178B4a");
  expect_one("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "API_KEY",
             "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z");
  expect_one("xoxb-2634563455-2634563455-Zx8sKd93JdkQ", "API_KEY",
             "xoxb-2634563455-2634563455-Zx8sKd93JdkQ");
  expect_one("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "API_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc");
  expect_one("AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "API_KEY",
             "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW");
  expect_one("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "API_KEY",
             "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
}

TEST(PrivacyDetect, SecretLookalikes) {
  expect_none("pip install sk-learn-extra");
  expect_none("GitHub tokens start with ghp_ and are 40 chars");
  expect_none("id 123e4567-e89b-12d3-a456-426614174000");
  expect_none("commit 9fceb02d0ae598e95dc970b74767f19372d61af8");
  expect_none("sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect_none("class AbstractSingletonProxyFactoryBean {}");
  expect_none("see src/route/signals/privacy/detectors.cpp");
  expect_none("def test_user_can_reset_password_via_email_link():");
  expect_none("OpenSSL 3.0.13 and libhyperscan5 5.4.0-2");
}

TEST(PrivacyDetect, Jwt) {
  const std::string jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  expect_one("Authorization: Bearer " + jwt, "JWT", jwt);
  // eyJ prefix but the header has no "alg": not a JWT (and not a bearer value either).
  expect_none("data eyJmb28iOiJiYXIifQ.eyJhIjoxfQ end");
}

TEST(PrivacyDetect, PemBlock) {
  const std::string pem =
      "-----BEGIN RSA PRIVATE "
      "KEY-----\nMIIEpAIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aozN3tihPmljnnudb9G3HjS\n"
      "-----END RSA PRIVATE KEY-----";
  expect_one("key:\n" + pem + "\nthanks", "PRIVATE_KEY", pem);
  // Inside JSON the newlines are escapes; the block still ends at its END line.
  const std::string escaped =
      "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE "
      "KEY-----";
  expect_one("{\"key\":\"" + escaped + "\"}", "PRIVATE_KEY", escaped);
  expect_none("-----BEGIN PUBLIC KEY-----");
}

TEST(PrivacyDetect, Passwords) {
  expect_one("password=hunter2", "PASSWORD", "hunter2");
  expect_one("{\"password\": \"correct horse\"}", "PASSWORD", "correct horse");
  expect_one("pwd: S3cr3t!x", "PASSWORD", "S3cr3t!x");
  expect_one("DB_PASSWORD='pa ss'", "PASSWORD", "pa ss");
  expect_one("my password is Summer2024! ok", "PASSWORD", "Summer2024!");
  expect_one("mysql --password=Tr0ub4dor", "PASSWORD", "Tr0ub4dor");
  expect_one("postgres://app:Sup3rS3cret@db.internal:5432/app", "PASSWORD", "Sup3rS3cret");
  // Double-encoded (arguments string inside tool_calls JSON).
  expect_one(R"({"arguments":"{\"user\":\"bob\",\"password\":\"hunter22\"}"})", "PASSWORD",
             "hunter22");
}

TEST(PrivacyDetect, PasswordLookalikes) {
  expect_none("password: str");
  expect_none("password = getpass.getpass()");
  expect_none("password=None");
  expect_none("the password is incorrect");
  expect_none("Password: reset it from the settings page");
  expect_none("password = os.environ['DB_PASSWORD']");
  expect_none("password: ${DB_PASSWORD}");
  expect_none("\"password\": \"\"");
}

TEST(PrivacyDetect, HighEntropy) {
  expect_one("session Zx8sKd93JdkQm2Lp0Vb7Tn4Rw1Yc6Hf5 expired", "SECRET",
             "Zx8sKd93JdkQm2Lp0Vb7Tn4Rw1Yc6Hf5");
  expect_none("word wordwordwordwordwordwordwordword");
  expect_none("getUserAccountSettings2ForAdmin()");
}

// Lookalikes from real text that the generated corpus lacked (Debian's copyright files and
// changelogs, the C++ and Python headers and sources on this machine: docs/BENCHMARKS.md, privacy
// section): names made of simple segments are identifiers, not secrets; test logs, strings that
// hold a key word and C++ scopes are not password assignments. Random tokens with the same
// separators still are.
TEST(PrivacyDetect, RealTextLookalikes) {
  expect_none("see libs/config/checks/std/cpp_lib_make_unique_14 for details");
  expect_none("#define _GLIBCXX_USE_C99_MATH_TR1 1");
  expect_none("#if _GLIBCXX_SIMD_HAVE_AVX512F");
  expect_none("/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so");
  expect_none("Files: fpcsrc/utils/pas2js/dist/rtl");
  expect_none("tests/at-spi2-atk/dummyatk/my-atk-hyperlink.c");
  expect_none("PASS: Convert x86-64 object\nFAIL: Build i386");
  expect_none("--- PASS: TestParseConfig (0.00s)");
  expect_none("def unix_getpass(prompt='Password: ', stream=None):");
  expect_none("auto level = byte_pass::SimdLevel::kSse2;");
  expect_none("Files: fpcsrc/packages/gtk2/src/glib/glib2");
  expect_none("typedef void (*PFNGLVERTEXATTRIB4FVPROC)(GLuint index);");
  expect_one("key XKQZPVBNMRWRTP3HJKLM7QZXV ok", "SECRET", "XKQZPVBNMRWRTP3HJKLM7QZXV");
  // ZIP+4 after a state (GPL notices), a range of years before a name ending in a street word.
  expect_none("Fifth Floor, Boston, MA  02110-1301, USA.");
  expect_none("Fifth Floor, Boston, MA\n   02110-1301 USA");
  expect_none("Copyright (C) 1991-1998 Thomas G. Lane.");
  expect_one("call 020 7946 0958 now", "PHONE", "020 7946 0958");
  expect_one("ship to 1998 Thomas Lane please", "ADDRESS", "1998 Thomas Lane");
  // A CHANGELOG's links: a commit hash in a path (a hash alone is no secret either); a path
  // with a random base62 segment next to the hash still is.
  expect_none(
      "([2d6710a](https://github.com/openai/openai-node/commit/"
      "2d6710a1f9dd4f768d9c73e9c9f5f93c737cdc66))");
  expect_none("see src/blob/88D0050336749DEB3810B4CB43473DE1F84E42BD/src/index.ts");
  expect_one("url hooks/services/T3k9Zq2Lp0Vb7Tn4/a3f9b2c7d1e8f4a6b0c5 ok", "SECRET",
             "hooks/services/T3k9Zq2Lp0Vb7Tn4/a3f9b2c7d1e8f4a6b0c5");
  // CamelCase file and directory names in a path (a code prompt's, a copyright file's) and
  // identifiers; random letters in both cases still are a secret: lowercase letters alone
  // between capitals, or few common pairs.
  expect_none("in packages/web3/src/utils/HttpClient.ts");
  expect_none("Files: libs/msm/doc/HTML/examples/BoostCon09Full.cpp");
  expect_none("app/src/main/java/com/example/app2/MainActivity.java");
  expect_none("ERROR accountBufferRequest72 failed: deadline exceeded");
  // Alphabets written out in code are no secrets.
  expect_none("B32 = \"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567\"");
  expect_none("ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/'");
  expect_none("static const char digits[] = \"-+xX0123456789abcdef0123456789ABCDEF\";");
  expect_one("see uploads/Qwzxk7Pvbjq/Mxqbn2Zrtwq/Fjkvw ok", "SECRET",
             "uploads/Qwzxk7Pvbjq/Mxqbn2Zrtwq/Fjkvw");
  expect_one("see uploads/QwZxk7PvBjq/Mxqbn2Zrtwq/Fjkvw ok", "SECRET",
             "uploads/QwZxk7PvBjq/Mxqbn2Zrtwq/Fjkvw");
  expect_one("key Zx8sKd93/JdkQm2Lp0+Vb7Tn4Rw1Yc6Hf5 ok", "SECRET",
             "Zx8sKd93/JdkQm2Lp0+Vb7Tn4Rw1Yc6Hf5");
  expect_one("license XKQZP-VBNMR-WRTP3-HJKLM-7QZXV ok", "SECRET",
             "XKQZP-VBNMR-WRTP3-HJKLM-7QZXV");
  expect_one("token k3j9-dk2x-m4q7-p2z8-r5t1 ok", "SECRET", "k3j9-dk2x-m4q7-p2z8-r5t1");
  // A hex literal with its integer suffix is a number; a UUID in a name is no secret, a UUID
  // next to a long random piece may be.
  expect_none("    0xb5026f5aa96619e9ULL, 29,");
  expect_one("key 0xb5026f5aa96619e9ZQ ok", "SECRET", "0xb5026f5aa96619e9ZQ");
  expect_none("mutex_name, 128, L\"asio-58CCDC44-6264-4842-90C2-F3C545CB8AA7-%u-%p\",");
  expect_none("L\"\\\\.\\pipe\\asio-A0812896-741A-484D-AF23-BE51BF620E22-%u-%ld-%ld\",");
  expect_none("job_1bee5efc-de03-4f6e-a155-aff853a494fa done");
  expect_one("key Zx8sKd93JdkQm2Lp0Vb7Tn4-1bee5efc-de03-4f6e-a155-aff853a494fa ok", "SECRET",
             "Zx8sKd93JdkQm2Lp0Vb7Tn4-1bee5efc-de03-4f6e-a155-aff853a494fa");
  expect_one("PASSWORD: hunter22x", "PASSWORD", "hunter22x");
  expect_one("pass: hunter22x", "PASSWORD", "hunter22x");
  expect_one("{\"password\": \"hunter22x\"}", "PASSWORD", "hunter22x");
}

// Found by the 10,000-conversation no-leak test: an unlucky random token (3.48 bits) as the value
// of a key that names a secret is a secret; the same token without such a key stays below the bar.
TEST(PrivacyDetect, HighEntropyAfterSecretKey) {
  expect_one("X-Request-Signature: p667b4qq6w76y766q96ntwlnxyql4bs6", "SECRET",
             "p667b4qq6w76y766q96ntwlnxyql4bs6");
  // (As a JSON assignment it is caught by the key-assignment detector.)
  expect_one("{\"session_token\": \"p667b4qq6w76y766q96ntwlnxyql4bs6\"}", "API_KEY",
             "p667b4qq6w76y766q96ntwlnxyql4bs6");
  expect_none("build p667b4qq6w76y766q96ntwlnxyql4bs6 done");
}

TEST(PrivacyDetect, CustomEntities) {
  PrivacyConfig cfg;
  cfg.custom_entities.push_back({"customer_id", "CUST-[0-9]{8}", {}, false});
  cfg.custom_entities.push_back({"project", "", {"Bluebird", "night jar"}, true});
  auto s = testing::make_scanner(cfg);
  ASSERT_TRUE(s);
  Found f = findings("ticket for CUST-00123456 on project BLUEBIRD and Night Jar", *s);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0], (std::pair<std::string, std::string>{"CUSTOMER_ID", "CUST-00123456"}));
  EXPECT_EQ(f[1], (std::pair<std::string, std::string>{"PROJECT", "BLUEBIRD"}));
  EXPECT_EQ(f[2], (std::pair<std::string, std::string>{"PROJECT", "Night Jar"}));
  // A dictionary word glued to other letters is not the word.
  EXPECT_TRUE(findings("bluebirds and Bluebirdy", *s).empty());
}

TEST(PrivacyDetect, DisabledTypes) {
  PrivacyConfig cfg;
  cfg.enabled[static_cast<size_t>(EntityType::kEmail)] = false;
  auto s = testing::make_scanner(cfg);
  ASSERT_TRUE(s);
  EXPECT_TRUE(findings("jane@example.com", *s).empty());
}

TEST(PrivacyDetect, OverlapsBecomeOneFinding) {
  // A password that is also an e-mail address: one finding, of the higher-priority type.
  Found f = findings("password=jane.doe@example.com");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].first, "PASSWORD");
  EXPECT_EQ(f[0].second, "jane.doe@example.com");
  // A JWT in a Bearer header is also the header's value: typed JWT.
  EXPECT_EQ(findings("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").at(0).first, "JWT");
}

TEST(PrivacyDetect, ManyFindingsInOrder) {
  Found f = findings("a@b.co 4111 1111 1111 1111 and 10.1.2.3");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].first, "EMAIL");
  EXPECT_EQ(f[1].first, "CARD");
  EXPECT_EQ(f[2].first, "IP");
}

}  // namespace
}  // namespace tiergate::privacy
