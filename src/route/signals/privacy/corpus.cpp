// Benign documents with lookalikes, documents with planted entities, and conversations for the
// no-leak test (see corpus.h).

#include "route/signals/privacy/corpus.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "route/signals/privacy/validators.h"

namespace tiergate::privacy::corpus {
namespace {

// ---- lookalikes: things that look like entities and are not -------------------------------

std::string digits(Rng& r, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>('0' + r.below(10));
  return s;
}
std::string chars(Rng& r, size_t n, std::string_view alphabet) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[r.below(alphabet.size())];
  return s;
}
std::string hex(Rng& r, size_t n) { return chars(r, n, "0123456789abcdef"); }
std::string num(Rng& r, uint64_t lo, uint64_t hi) {
  return std::to_string(lo + r.below(hi - lo + 1));
}

std::string date(Rng& r) {
  const int y = 1990 + static_cast<int>(r.below(40)), m = 1 + static_cast<int>(r.below(12)),
            d = 1 + static_cast<int>(r.below(28));
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  switch (r.below(6)) {
    case 0:
      return fmt::format("{}-{:02d}-{:02d}", y, m, d);
    case 1:
      return fmt::format("{:02d}/{:02d}/{}", d, m, y);
    case 2:
      return fmt::format("{:02d}.{:02d}.{}", d, m, y);
    case 3:
      return fmt::format("{} {}, {}", kMonths[m - 1], d, y);
    case 4:
      return fmt::format("{}/{}/{}", m, d, y % 100);
    default:
      return fmt::format("{} {} {}", d, kMonths[m - 1], y);
  }
}
std::string time_of_day(Rng& r) {
  return r.chance(0.5) ? fmt::format("{:02d}:{:02d}", r.below(24), r.below(60))
                       : fmt::format("{:02d}:{:02d}:{:02d}", r.below(24), r.below(60), r.below(60));
}
std::string iso(Rng& r) {
  return fmt::format("{}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", 2015 + r.below(12), 1 + r.below(12),
                     1 + r.below(28), r.below(24), r.below(60), r.below(60));
}
std::string version(Rng& r) {
  switch (r.below(7)) {
    case 0:
      return fmt::format("v{}.{}.{}", r.below(10), r.below(30), r.below(100));
    case 1:
      return fmt::format("{}.{}.{}", r.below(10), r.below(30), r.below(100));
    case 2:
      return fmt::format("version {}.{}.{}.{}", r.below(10), r.below(10), r.below(10),
                         r.below(100));
    case 3:
      return fmt::format("Chrome/{}.0.{}.{}", 100 + r.below(30), 4000 + r.below(3000),
                         r.below(200));
    case 4:
      return fmt::format("{}.{}.{}-beta.{}", r.below(5), r.below(20), r.below(10), r.below(9));
    case 5:
      return fmt::format("build {}.{}.{}.{}", 10 + r.below(5), r.below(3), 10000 + r.below(20000),
                         r.below(2000));
    default:
      return fmt::format("python {}.{}.{}", 3, 8 + r.below(6), r.below(20));
  }
}
std::string uuid(Rng& r) {
  return hex(r, 8) + "-" + hex(r, 4) + "-4" + hex(r, 3) + "-a" + hex(r, 3) + "-" + hex(r, 12);
}
// The same in capitals, as Windows writes GUIDs.
std::string upper_uuid(Rng& r) {
  std::string u = uuid(r);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}
std::string order(Rng& r) {
  switch (r.below(6)) {
    case 0:
      return fmt::format("ORD-{}-{}", 2015 + r.below(12), digits(r, 6));
    case 1:
      return "#" + num(r, 100000, 9999999);
    case 2:
      return num(r, 100000000, 999999999);
    case 3:
      return "INV-" + digits(r, 6);
    case 4:
      return "PO " + digits(r, 10);
    default:
      return "1Z" + chars(r, 6, "ABCDEFGHJKLMNPRSTUVWXYZ0123456789") + digits(r, 10);
  }
}
std::string money(Rng& r) {
  switch (r.below(3)) {
    case 0:
      return fmt::format("${},{:03d}.{:02d}", 1 + r.below(99), r.below(1000), r.below(100));
    case 1:
      return fmt::format("EUR {}.{:03d},{:02d}", 1 + r.below(99), r.below(1000), r.below(100));
    default:
      return fmt::format("{:.2f} USD", static_cast<double>(r.below(1000000)) / 100);
  }
}
// Sixteen digits shaped like a card that fail the Luhn check.
std::string luhn_failing(Rng& r) {
  std::string d = std::string(1, "3456"[r.below(4)]) + digits(r, 15);
  if (luhn_valid(d)) d.back() = static_cast<char>('0' + (d.back() - '0' + 1) % 10);
  if (r.chance(0.5))
    return d.substr(0, 4) + " " + d.substr(4, 4) + " " + d.substr(8, 4) + " " + d.substr(12);
  return d;
}
// An IBAN-shaped string whose check digits are wrong.
std::string bad_iban(Rng& r) {
  for (;;) {
    std::string s = "DE" + digits(r, 20);
    if (!iban_valid(s))
      return s.substr(0, 4) + " " + s.substr(4, 4) + " " + s.substr(8, 4) + " " + s.substr(12, 4) +
             " " + s.substr(16, 4) + " " + s.substr(20);
  }
}
// SSN-shaped, outside the valid ranges.
std::string bad_ssn(Rng& r) {
  static const char* kAreas[] = {"000", "666", "900", "912", "987", "999"};
  return fmt::format("{}-{:02d}-{:04d}", r.pick(kAreas), 1 + r.below(99), 1 + r.below(9999));
}
std::string long_number(Rng& r) {
  std::string s = std::to_string(1 + r.below(9)) + digits(r, 9 + r.below(16));
  return s;
}
std::string identifier(Rng& r) {
  static const char* kWords[] = {
      "user",   "account", "settings", "factory", "provider", "handler",   "request", "response",
      "cache",  "token",   "stream",   "buffer",  "manager",  "client",    "server",  "config",
      "parser", "builder", "password", "reset",   "session",  "validator", "router",  "engine"};
  std::string s;
  const uint64_t n = 3 + r.below(4);
  const bool snake = r.chance(0.5);
  for (uint64_t i = 0; i < n; ++i) {
    std::string w = r.pick(kWords);
    if (snake) {
      if (i) s += '_';
    } else if (i) {
      w[0] = static_cast<char>(w[0] - 32);
    }
    s += w;
  }
  if (r.chance(0.3)) s += std::to_string(r.below(100));
  return s;
}

// Expands {name} tokens with the lookalike generators.
std::string expand(Rng& r, std::string_view tpl) {
  std::string out;
  for (size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] != '{') {
      out += tpl[i];
      continue;
    }
    const size_t close = tpl.find('}', i);
    const std::string_view name = tpl.substr(i + 1, close - i - 1);
    i = close;
    if (name == "date")
      out += date(r);
    else if (name == "time")
      out += time_of_day(r);
    else if (name == "iso")
      out += iso(r);
    else if (name == "version")
      out += version(r);
    else if (name == "uuid")
      out += uuid(r);
    else if (name == "UUID")
      out += upper_uuid(r);
    else if (name == "sha7")
      out += hex(r, 7);
    else if (name == "sha40")
      out += hex(r, 40);
    else if (name == "sha64")
      out += hex(r, 64);
    else if (name == "hex8")
      out += hex(r, 8);
    else if (name == "hex32")
      out += hex(r, 32);
    else if (name == "order")
      out += order(r);
    else if (name == "money")
      out += money(r);
    else if (name == "n")
      out += num(r, 0, 99);
    else if (name == "nn")
      out += num(r, 100, 99999);
    else if (name == "port")
      out += num(r, 1024, 65535);
    else if (name == "pct")
      out += num(r, 1, 99) + "%";
    else if (name == "luhnfail")
      out += luhn_failing(r);
    else if (name == "badiban")
      out += bad_iban(r);
    else if (name == "badssn")
      out += bad_ssn(r);
    else if (name == "long")
      out += long_number(r);
    else if (name == "dec")
      out += fmt::format("{}.{}", r.below(1000), digits(r, 1 + r.below(8)));
    else if (name == "ident")
      out += identifier(r);
    else if (name == "last4")
      out += digits(r, 4);
    else if (name == "pow2") {
      const unsigned e = 30 + static_cast<unsigned>(r.below(34));
      out += fmt::format("2^{} = {}", e, uint64_t{1} << e);
    } else if (name == "fact") {
      const unsigned n = 10 + static_cast<unsigned>(r.below(11));
      uint64_t f = 1;
      for (unsigned k = 2; k <= n; ++k) f *= k;
      out += fmt::format("{}! = {}", n, f);
    } else if (name == "fib") {
      const unsigned n = 40 + static_cast<unsigned>(r.below(50));
      uint64_t a = 0, b = 1;
      for (unsigned k = 0; k < n; ++k) {
        const uint64_t t = a + b;
        a = b;
        b = t;
      }
      out += fmt::format("F({}) = {}", n, a);
    } else
      out += name;
  }
  return out;
}

constexpr std::string_view kChat[] = {
    "Hey, can we move the meeting to {date} at {time}?",
    "I tried {version} and it still crashes after {n} minutes.",
    "Thanks! The new build {version} fixed it for me.",
    "Reset your password from the settings page if you forgot it.",
    "The password is incorrect, please try again later.",
    "ping @maria about the release notes, and @ops-team too",
    "Can you explain how RSA private keys work in simple terms?",
    "Let's sync at {time}; I'll bring {n} printed copies of the report.",
    "It costs {money} per month, about {pct} more than last year.",
    "I read about it on https://example.com/blog/getting-started-with-routing yesterday.",
    "What does 'connection refused' mean on port {port}?",
    "My favourite numbers are {n}, {n} and {n}.",
    "Write a haiku about autumn leaves and a quiet lake.",
    "The meeting room is 4.{n}, second floor, next to the kitchen.",
    "Summarise the attached article in three bullet points please.",
    "How do I set up two-factor authentication for my account?",
    "We had {nn} visitors on {date}, up {pct} week over week.",
    "Is it better to use a password manager or a notebook?",
    "Translate 'good morning, how are you' into French and German.",
    "Can you recommend a book about the history of cryptography?",
};
constexpr std::string_view kCode[] = {
    "def login(user: str, password: str) -> bool:\n    password = getpass.getpass()\n    return "
    "check(user, password)\n",
    "api_key = os.environ[\"OPENAI_API_KEY\"]\nclient = Client(api_key=api_key)\n",
    "const token = process.env.GITHUB_TOKEN;\nconst {ident} = await fetchAll(token);\n",
    "std::vector<std::string> names; auto it = names.begin(); // fixed in {sha7}\n",
    "request_id = \"{uuid}\"\n",
    "# sha256: {sha64}\n",
    "commit {sha40}\nAuthor: build bot\nDate: {iso}\n",
    "* retry on 429 ([{sha7}](https://github.com/acme/router/commit/{sha40}))\n",
    "import { HttpClient } from \"packages/web{n}/src/utils/HttpClient\";\n",
    "m = CreateMutexW(nullptr, FALSE, L\"app-{UUID}-%u\");  // seed 0x{hex8}{hex8}ULL\n",
    "\"dependencies\": {\"lodash\": \"^4.17.21\", \"@types/node\": \"20.11.{n}\"}\n",
    "class {ident}Factory extends Abstract{ident}Provider {}\n",
    "def test_{ident}_returns_none():\n    assert {ident}() is None\n",
    "color: #a0{n}ff; margin: {n}px; padding: {n}px {n}px;\n",
    "int total = {nn} * {n} + {nn};\n",
    "timeout_ms: {nn}\nretries: {n}\npassword: ${DB_PASSWORD}\n",
    "if err != nil {\n\treturn fmt.Errorf(\"read %s: %w\", path, err)\n}\n",
    "SELECT * FROM orders WHERE id = {nn} AND created_at > '{iso}';\n",
    "image: registry.example.com/team/app:{version}\n",
    "@Override\npublic String toString() { return name + \"#\" + id; }\n",
    "x = np.array([[{n}, {n}], [{n}, {n}]])  # 2x2\n",
    "path = \"src/route/signals/privacy/detectors.cpp\"\n",
    "ssh deploy@localhost -p {port}\n",
    "key_bytes = bytes.fromhex(\"{hex32}\")\n",
    "{ident} = {ident}.get('{ident}', None)\n",
    "password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())\n",
    "let re = /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/;\n",
    "for (int i = 0; i < {nn}; ++i) sum += a[i] * b[i];\n",
    "trace_id={hex32} span_id={hex8}{hex8}\n",
    "kubectl rollout restart deployment/{ident} -n prod\n",
    "std::chrono::milliseconds timeout{{nn}};  // a::b::c style scopes\n",
};
constexpr std::string_view kTicket[] = {
    "Ticket {nn}: customer reports login failures since {date}. Order {order}.",
    "Refund of {money} approved for order {order}; SKU {nn}-{nn}.",
    "The card ending in {last4} was declined; asked the customer to retry.",
    "Priority P{n}, opened {iso}, assigned to tier 2 support.",
    "Device serial SN-{nn}{nn}, {version}.",
    "Reference {luhnfail} from the bank statement does not match our records.",
    "Transfer to {badiban} bounced: the IBAN check failed, customer will resend it.",
    "Case {badssn} was merged into the parent ticket.",
    "Customer asked for an invoice copy for order {order} dated {date}.",
    "Please follow up by {date}; the customer prefers e-mail over calls.",
    "Tracking shows the parcel {order} left the depot at {time}.",
    "Customer number {nn}{nn} changed the delivery day to {date}.",
    "The password reset link expired after {n} hours; resent it.",
    "Replaced the router (firmware {version}), issue resolved.",
};
constexpr std::string_view kMaths[] = {
    "Compute {long} times {long} and show the steps.",
    "We know that {pow2}.",
    "Check: {fact}.",
    "Recall {fib}.",
    "Is {long} a prime number? Explain your reasoning.",
    "Solve x^2 - {n}x + {nn} = 0 for x.",
    "pi = 3.14159265358979323846 and e = 2.71828182845904523536 to twenty places.",
    "The matrix [[{n}, {n}], [{n}, {n}]] has a determinant of {nn}.",
    "Divide {long} by 97 and give the remainder.",
    "The average of {dec}, {dec} and {dec} is about {dec}.",
    "The sequence 0 1 1 2 3 5 8 13 21 34 55 89 grows exponentially.",
    "{long} is the product of two large primes.",
    "Write {long} in base 16 and in base 2.",
    "If a = {long} and b = {long}, what is gcd(a, b)?",
    "Round {dec} to three significant figures.",
};
constexpr std::string_view kOrders[] = {
    "Order {order} placed {date}, shipped {date}, delivered {date}.",
    "Orders {order}, {order} and {order} are on hold.",
    "Invoice {order} is due on {date}; payment terms 30 days.",
    "Batch {date}-{n}: {nn} items, total {money}.",
    "Timestamp {iso}, elapsed {dec}s.",
    "Scheduled for {date} at {time}, reminder at {time}.",
    "Release {version} on {date}; the previous one was {version}.",
    "Stock check {date}: {nn} units in aisle {n}, shelf {n}.",
    "Order number {long} could not be found.",
    "Subscription renews on {date} for {money}.",
};
constexpr std::string_view kLogs[] = {
    "{iso} INFO request_id={uuid} method=POST path=/v1/chat/completions status=200 dur={nn}ms",
    "{iso} WARN retrying upstream in {nn}ms (attempt {n}/5)",
    "pid={nn} thread=0x7f{hex8} rss={nn}MB",
    "{iso} DEBUG cache hit key=user:{nn}:profile ttl={nn}s",
    "build {sha7} deployed to prod-{n} at {time}",
    "GET /api/v2/orders/{nn}?page={n} 200 {nn}b",
    "user_agent=\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 {version} Safari/537.36\"",
    "{iso} INFO password reset e-mail queued for user id {nn}",
    "{iso} ERROR {ident} failed: deadline exceeded after {nn}ms",
    "gc pause {dec}ms heap={nn}MB objects={nn}",
};

std::string_view pick_template(Rng& r, const std::string& kind) {
  if (kind == "chat") return r.pick(kChat);
  if (kind == "code") return r.pick(kCode);
  if (kind == "ticket") return r.pick(kTicket);
  if (kind == "maths") return r.pick(kMaths);
  if (kind == "orders") return r.pick(kOrders);
  return r.pick(kLogs);
}

constexpr const char* kKinds[] = {"chat", "code", "ticket", "maths", "orders", "logs"};

// ---- sentences around entities -----------------------------------------------------------

struct Frame {
  const char* text;  // {V} marks the value
  bool context;      // names what the value is (needed by context-only formats)
};

constexpr Frame kEmailFrames[] = {{"Please reply to {V} when you can.", true},
                                  {"Contact: {V}", true},
                                  {"cc {V}", false},
                                  {"{V} wrote:", false},
                                  {"\"email\": \"{V}\"", true},
                                  {"Send the invoice to <{V}>.", false},
                                  {"mailto:{V}", true},
                                  {"(you can also use {V})", false},
                                  {"Her address is {V}.", false}};
constexpr Frame kPhoneFrames[] = {{"Call me at {V}.", true},
                                  {"My number is {V}", true},
                                  {"Tel: {V}", true},
                                  {"{V}", false},
                                  {"The office is on {V} until six.", false},
                                  {"\"phone\": \"{V}\"", true},
                                  {"Mobile {V}", true},
                                  {"Text {V} when you land.", true},
                                  {"or ({V}) after 5pm", false}};
constexpr Frame kCardFrames[] = {{"Card number: {V}", true},
                                 {"Charge {V} please.", false},
                                 {"{V} exp 09/27 cvv 123", true},
                                 {"\"card\": \"{V}\"", true},
                                 {"pay with {V}", true},
                                 {"my visa {V} was declined", true},
                                 {"{V}", false},
                                 {"Here it is: {V}.", false},
                                 {"use {V} for the deposit", false}};
constexpr Frame kIbanFrames[] = {{"IBAN: {V}", true},
                                 {"Please wire the money to {V}.", false},
                                 {"{V} (account holder J. Doe)", false},
                                 {"\"iban\":\"{V}\"", true},
                                 {"Bank account {V}, BIC DEUTDEFF", true}};
constexpr Frame kSsnFrames[] = {{"SSN {V}", true},
                                {"Social security number: {V}", true},
                                {"{V} is on the W-2 form.", false},
                                {"\"ssn\": \"{V}\"", true},
                                {"her SSN is {V}.", true},
                                {"ssn={V}", true}};
constexpr Frame kIpFrames[] = {{"Server {V} is down again.", false},
                               {"ping {V}", false},
                               {"\"ip\": \"{V}\"", true},
                               {"X-Forwarded-For: {V}", true},
                               {"allow from {V}", false},
                               {"The client came from {V}.", false}};
constexpr Frame kAddressFrames[] = {{"Ship to {V}, Springfield, IL 62704.", true},
                                    {"I live at {V}.", true},
                                    {"Office: {V}, 2nd floor", true},
                                    {"\"address\": \"{V}\"", true},
                                    {"Deliver to {V}", true},
                                    {"{V}\nApt 4B", false},
                                    {"We moved to {V} last year.", false}};
constexpr Frame kKeyFrames[] = {
    {"OPENAI_API_KEY={V}", true},
    {"here's my key {V}", true},
    {"export TOKEN={V}", true},
    {"\"token\": \"{V}\"", true},
    {"Authorization: token {V}", true},
    {"curl -H 'Authorization: Bearer {V}' https://api.example.com", true},
    {"{V}", false},
    {"it failed with {V} as the credential", false}};
constexpr Frame kAwsSecretFrames[] = {{"aws_secret_access_key = {V}", true},
                                      {"AWS_SECRET_ACCESS_KEY={V}", true},
                                      {"\"SecretAccessKey\": \"{V}\"", true},
                                      {"secret_key: {V}", true}};
constexpr Frame kJwtFrames[] = {{"Authorization: Bearer {V}", true},
                                {"token={V}", true},
                                {"{V}", false},
                                {"\"id_token\": \"{V}\"", true},
                                {"Cookie: session={V}; Path=/", true},
                                {"decode this jwt {V} please", true}};
constexpr Frame kPemFrames[] = {{"Here is the key:\n{V}\n", true},
                                {"```\n{V}\n```", false},
                                {"key = '''{V}'''", true},
                                {"{V}", false}};
constexpr Frame kPasswordFrames[] = {
    {"password={V}", true},           {"password: {V}\n", true},
    {"\"password\": \"{V}\"", true},  {"pwd={V}", true},
    {"DB_PASSWORD='{V}'", true},      {"mysql -u root --password {V} app", true},
    {"my password is {V} btw", true}, {"postgres://admin:{V}@db.example.com:5432/app", true},
    {"passwd: {V}\n", true},          {"export PGPASSWORD={V}", true},
    {"Passphrase = \"{V}\"", true}};
constexpr Frame kEntropyFrames[] = {{"session {V} expired", false},
                                    {"use this one: {V}", false},
                                    {"cookie sid={V}", false},
                                    {"the value was {V}", false},
                                    {"{V}", false},
                                    {"\"nonce\": \"{V}\"", false},
                                    {"X-Request-Signature: {V}", false}};

template <size_t N>
const Frame& pick_frame(Rng& r, const Frame (&frames)[N], bool need_context) {
  for (;;) {
    const Frame& f = r.pick(frames);
    if (!need_context || f.context) return f;
  }
}

}  // namespace

std::string CorpusGenerator::benign_paragraph(const std::string& kind) {
  std::string s;
  const uint64_t n = 1 + rng_.below(4);
  for (uint64_t i = 0; i < n; ++i) {
    if (!s.empty()) s += kind == "code" ? "" : (rng_.chance(0.3) ? "\n" : " ");
    s += expand(rng_, pick_template(rng_, kind));
  }
  return s;
}

std::string CorpusGenerator::entity_sentence(EntityType type, const std::string& value,
                                             const std::string& format, size_t* at) {
  const bool bare = format.ends_with("-bare") && type != EntityType::kCard;
  const Frame* f = nullptr;
  switch (type) {
    case EntityType::kEmail:
      f = &pick_frame(rng_, kEmailFrames, false);
      break;
    case EntityType::kPhone:
      f = &pick_frame(rng_, kPhoneFrames, bare);
      break;
    case EntityType::kCard:
      f = &pick_frame(rng_, kCardFrames, false);
      break;
    case EntityType::kIban:
      f = &pick_frame(rng_, kIbanFrames, false);
      break;
    case EntityType::kSsn:
      f = &pick_frame(rng_, kSsnFrames, format == "ssn/bare");
      break;
    case EntityType::kIpAddress:
      f = &pick_frame(rng_, kIpFrames, false);
      break;
    case EntityType::kStreetAddress:
      f = &pick_frame(rng_, kAddressFrames, false);
      break;
    case EntityType::kApiKey:
      f = format == "api_key/aws-secret" ? &pick_frame(rng_, kAwsSecretFrames, true)
                                         : &pick_frame(rng_, kKeyFrames, false);
      break;
    case EntityType::kJwt:
      f = &pick_frame(rng_, kJwtFrames, false);
      break;
    case EntityType::kPrivateKey:
      f = &pick_frame(rng_, kPemFrames, false);
      break;
    case EntityType::kPassword:
      f = &pick_frame(rng_, kPasswordFrames, true);
      break;
    case EntityType::kHighEntropy:
      f = &pick_frame(rng_, kEntropyFrames, false);
      break;
    case EntityType::kCustom:
      break;
  }
  std::string_view text = f ? f->text : "{V}";
  const size_t v = text.find("{V}");
  *at = v;
  return std::string(text.substr(0, v)) + value + std::string(text.substr(v + 3));
}

Document CorpusGenerator::benign() {
  Document d;
  d.kind = rng_.pick(kKinds);
  d.text = benign_paragraph(d.kind);
  return d;
}

Document CorpusGenerator::with_entity(EntityType type, int count) {
  Document d;
  d.kind = rng_.pick(kKinds);
  d.text = rng_.chance(0.8) ? benign_paragraph(d.kind) : "";
  for (int i = 0; i < count; ++i) {
    Planted p;
    p.type = type;
    p.value = entity_value(type, &p.format);
    size_t at = 0;
    std::string sentence = entity_sentence(type, p.value, p.format, &at);
    // Position: start, end, or between two sentences of the benign text.
    const uint64_t where = rng_.below(3);
    size_t insert = where == 0 ? 0 : d.text.size();
    if (where == 2) {
      const size_t mid = d.text.find(". ", d.text.size() / 2);
      insert = mid == std::string::npos ? d.text.size() : mid + 2;
    }
    std::string sep_before =
        insert == 0 || d.text.empty() ? "" : (d.text[insert - 1] == '\n' ? "" : " ");
    std::string sep_after = insert >= d.text.size() ? "" : "\n";
    if (where == 2 && insert < d.text.size()) sep_before.clear();
    const std::string piece = sep_before + sentence + sep_after;
    const size_t begin = insert + sep_before.size() + at;
    // Shift entities already planted after the insertion point.
    for (Planted& q : d.planted) {
      if (q.begin >= insert) {
        q.begin += piece.size();
        q.end += piece.size();
      }
    }
    d.text.insert(insert, piece);
    p.begin = begin;
    p.end = begin + p.value.size();
    d.planted.push_back(std::move(p));
  }
  return d;
}

namespace {

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

}  // namespace

PlantedConversation CorpusGenerator::conversation() {
  PlantedConversation c;
  auto& req = c.request;
  req.model = "auto";
  const auto types = plantable_types();
  // Slots: 0 system, 1 first user turn, 2 tool definition, 3 tool-call arguments, 4 tool result,
  // 5 last user turn.
  std::array<std::string, 6> extra;
  const uint64_t n = 1 + rng_.below(6);
  for (uint64_t i = 0; i < n; ++i) {
    Planted p;
    p.type = rng_.pick(types);
    uint64_t slot = rng_.below(6);
    // PEM blocks carry newlines: keep them in plain-text slots.
    if (p.type == EntityType::kPrivateKey && (slot == 2 || slot == 3)) slot = 1;
    p.value = entity_value(p.type, &p.format);
    size_t at = 0;
    // Each planted sentence on its own line: two bare numbers separated by a single space are
    // ambiguous to any reader ("506 458 9870 4111 1111 1111 1111").
    extra[slot] += "\n" + entity_sentence(p.type, p.value, p.format, &at);
    c.needles.push_back(p.value);
    if (p.value.find_first_of("\r\n") != std::string::npos)
      c.needles.push_back(json_escape(p.value));
    c.planted.push_back(std::move(p));
  }
  auto text_msg = [](std::string role, std::string text) {
    api::ChatMessage m;
    m.role = std::move(role);
    m.content.push_back(api::ContentPart{api::ContentPart::Kind::kText, std::move(text), {}});
    return m;
  };
  req.messages.push_back(
      text_msg("system", "You are a helpful assistant for a support desk." + extra[0]));
  req.messages.push_back(text_msg("user", benign_paragraph("ticket") + extra[1]));
  api::ChatMessage call;
  call.role = "assistant";
  call.content_is_null = true;
  const std::string args =
      fmt::format(R"({{"query":"{}","note":"{}"}})", "order status", json_escape(extra[3]));
  call.tool_calls_json = fmt::format(
      R"([{{"id":"call_{}","type":"function","function":{{"name":"lookup","arguments":"{}"}}}}])",
      rng_.below(100000), json_escape(args));
  req.messages.push_back(std::move(call));
  api::ChatMessage tool =
      text_msg("tool", "Lookup result: " + benign_paragraph("orders") + extra[4]);
  tool.tool_call_id = "call_0";
  req.messages.push_back(std::move(tool));
  req.messages.push_back(text_msg("user", benign_paragraph("chat") + extra[5]));
  req.tools_json = fmt::format(
      R"([{{"type":"function","function":{{"name":"lookup","description":"{}","parameters":{{"type":"object","properties":{{"query":{{"type":"string"}}}}}}}}}}])",
      json_escape("Looks up orders." + extra[2]));
  return c;
}

}  // namespace tiergate::privacy::corpus
