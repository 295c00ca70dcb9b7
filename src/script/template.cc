// New revision files: template rendering, Alembic-compatible file names and
// create dates, and the atomic, non-overwriting write.
#include "script/template.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>

#include "script/checksum.h"
#include "script/revision_file.h"
#include "script/script_directory.h"
#include "util/atomic_file.h"
#include "util/strings.h"

namespace retort {
namespace {

constexpr std::array<std::string_view, 9> kPlaceholders = {
    "message",       "up_revision", "down_revision",
    "branch_labels", "depends_on",  "create_date",
    "upgrades",      "downgrades",  "transactional_header"};

constexpr std::string_view kFileTokens =
    "%(rev)s, %(slug)s, %(epoch)s, %(year)d, %(month).2d, %(day).2d, "
    "%(hour).2d, %(minute).2d, %(second).2d";

std::string Quote(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out += '"';
  return out;
}

std::string JoinComma(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// Drops trailing blanks, newlines and carriage returns.
std::string TrimTrailing(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::string WithoutCarriageReturns(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '\r') out += c;
  }
  return out;
}

std::optional<std::string> PlaceholderValue(std::string_view name,
                                            const TemplateValues& v) {
  if (name == "message") return TrimTrailing(WithoutCarriageReturns(v.message));
  if (name == "up_revision") return v.up_revision;
  if (name == "down_revision") return JoinComma(v.down_revisions);
  if (name == "branch_labels") return JoinComma(v.branch_labels);
  if (name == "depends_on") return JoinComma(v.depends_on);
  if (name == "create_date") return v.create_date;
  if (name == "upgrades") return TrimTrailing(v.upgrades);
  if (name == "downgrades") return TrimTrailing(v.downgrades);
  if (name == "transactional_header") {
    return (v.transactional ? std::string()
                            : std::string("-- Transactional: false\n")) +
           (v.lock_timeout.empty()
                ? std::string()
                : "-- Lock Timeout: " + v.lock_timeout + "\n") +
           (v.phase.empty() ? std::string() : "-- Phase: " + v.phase + "\n") +
           (v.squashes.empty() ? std::string()
                               : "-- Squashes: " + FormatSquashes(v.squashes) +
                                     "\n-- Squash Checksum: sha256:" +
                                     std::string(64, '0') + "\n");
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> RenderScriptTemplate(
    std::string_view tmpl, const std::string& template_path,
    const TemplateValues& values, const std::vector<std::string>& passthrough) {
  std::string out;
  out.reserve(tmpl.size() + values.upgrades.size() + values.downgrades.size() +
              256);
  int line = 1;
  size_t line_start = 0;  // where the current line begins in `out`
  size_t i = 0;
  while (i < tmpl.size()) {
    const char c = tmpl[i];
    if (c == '\n') {
      ++line;
      out += c;
      line_start = out.size();
      ++i;
      continue;
    }
    if (c != '$' || (tmpl.substr(i, 2) != "${" && tmpl.substr(i, 3) != "$${")) {
      out += c;
      ++i;
      continue;
    }
    if (tmpl.substr(i, 3) == "$${") {
      out += "${";
      i += 3;
      continue;
    }
    const size_t close = tmpl.find('}', i + 2);
    const size_t eol = tmpl.find('\n', i + 2);
    if (close == std::string_view::npos || close > eol) {
      std::string_view rest = tmpl.substr(
          i, eol == std::string_view::npos ? std::string_view::npos : eol - i);
      while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) {
        rest.remove_suffix(1);
      }
      return Status::InvalidArgument(template_path + ":" +
                                     std::to_string(line) +
                                     ": unterminated placeholder " +
                                     Quote(rest) + "; close it with \"}\"");
    }
    const std::string_view name = tmpl.substr(i + 2, close - i - 2);
    i = close + 1;
    if (std::find(passthrough.begin(), passthrough.end(), name) !=
        passthrough.end()) {
      out += "${";
      out.append(name);
      out += '}';
      continue;
    }
    std::optional<std::string> value = PlaceholderValue(name, values);
    if (!value) {
      std::string msg = template_path + ":" + std::to_string(line) +
                        ": unknown placeholder " +
                        Quote("${" + std::string(name) + "}") + "; ";
      std::string_view best;
      size_t best_distance = 3;
      for (std::string_view known : kPlaceholders) {
        size_t d = EditDistance(name, known);
        if (d < best_distance) {
          best_distance = d;
          best = known;
        }
      }
      if (!best.empty()) {
        msg += "did you mean " + Quote("${" + std::string(best) + "}") + "?";
      } else {
        msg += "known placeholders are";
        for (size_t k = 0; k < kPlaceholders.size(); ++k) {
          msg += k == 0 ? " ${" : ", ${";
          msg.append(kPlaceholders[k]);
          msg += '}';
        }
        msg += " (write \"$${" + std::string(name) + "}\" for a literal \"${" +
               std::string(name) + "}\")";
      }
      return Status::InvalidArgument(msg);
    }
    const std::string prefix = out.substr(line_start);
    const bool in_comment = prefix.substr(0, 2) == "--";
    if (value->empty()) {
      // "-- Depends On: ${depends_on}" must not leave a trailing space.
      const bool at_eol =
          i >= tmpl.size() || tmpl[i] == '\n' || tmpl[i] == '\r';
      if (at_eol) {
        while (out.size() > line_start &&
               (out.back() == ' ' || out.back() == '\t')) {
          out.pop_back();
        }
      }
      continue;
    }
    if (in_comment && value->find('\n') != std::string::npos) {
      // Each further line of a multi-line value stays a comment line.
      std::string comment_prefix = prefix;
      std::string blank_prefix = prefix;
      while (!blank_prefix.empty() &&
             (blank_prefix.back() == ' ' || blank_prefix.back() == '\t')) {
        blank_prefix.pop_back();
      }
      size_t start = 0;
      bool first = true;
      while (start <= value->size()) {
        size_t nl = value->find('\n', start);
        std::string_view piece = std::string_view(*value).substr(
            start, nl == std::string::npos ? std::string::npos : nl - start);
        if (!first) {
          out += '\n';
          line_start = out.size();
          out += piece.empty() ? blank_prefix : comment_prefix;
        }
        out.append(piece);
        first = false;
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      continue;
    }
    out += *value;
    size_t last_nl = value->rfind('\n');
    if (last_nl != std::string::npos) {
      line_start = out.size() - (value->size() - last_nl - 1);
    }
  }
  return out;
}

namespace {

// Returns the zoneinfo file for an IANA name, or "" if there is none.
std::string ZoneFile(const std::string& name) {
  if (name.empty() || name[0] == '/' || name.find("..") != std::string::npos) {
    return "";
  }
  const char* tzdir = std::getenv("TZDIR");
  std::string path =
      std::string(tzdir && *tzdir ? tzdir : "/usr/share/zoneinfo") + "/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char magic[4] = {};
  ssize_t n = read(fd, magic, sizeof(magic));
  close(fd);
  if (n != 4 || std::memcmp(magic, "TZif", 4) != 0) return "";
  return path;
}

// The process-wide TZ variable is the only way libstdc++ 12 and glibc offer
// to convert into a named zone (std::chrono::locate_zone arrived in GCC 14),
// so conversions swap it under this lock. Creating a revision happens once
// per command, never on a hot path.
std::mutex& TzMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

Result<CreateDate> MakeCreateDate(std::chrono::system_clock::time_point now,
                                  const std::optional<std::string>& timezone) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  using std::chrono::seconds;
  auto secs = std::chrono::floor<seconds>(now);
  CreateDate date;
  date.epoch = secs.time_since_epoch().count();
  date.microsecond =
      static_cast<int>(duration_cast<microseconds>(now - secs).count());
  const time_t t = static_cast<time_t>(date.epoch);
  struct tm tm {};
  if (!timezone) {
    localtime_r(&t, &tm);
  } else {
    std::string name = *timezone;
    if (ZoneFile(name).empty()) {
      std::string upper = name;
      for (char& ch : upper)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (ZoneFile(upper).empty()) {
        return Status::InvalidArgument(
            "unknown timezone " + Quote(*timezone) +
            "; use an IANA name such as \"Europe/Moscow\" or \"UTC\"");
      }
      name = upper;
    }
    std::lock_guard<std::mutex> lock(TzMutex());
    const char* old = std::getenv("TZ");
    std::optional<std::string> saved;
    if (old != nullptr) saved = old;
    setenv("TZ", (":" + name).c_str(), 1);
    tzset();
    localtime_r(&t, &tm);
    if (saved) {
      setenv("TZ", saved->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
    date.utc_offset = static_cast<int>(tm.tm_gmtoff);
  }
  date.year = tm.tm_year + 1900;
  date.month = tm.tm_mon + 1;
  date.day = tm.tm_mday;
  date.hour = tm.tm_hour;
  date.minute = tm.tm_min;
  date.second = tm.tm_sec;
  return date;
}

std::string FormatCreateDate(const CreateDate& d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%06d", d.year,
                d.month, d.day, d.hour, d.minute, d.second, d.microsecond);
  std::string out = buf;
  if (d.utc_offset) {
    int off = *d.utc_offset;
    char sign = off < 0 ? '-' : '+';
    off = std::abs(off);
    std::snprintf(buf, sizeof(buf), "%c%02d:%02d", sign, off / 3600,
                  off / 60 % 60);
    out += buf;
    if (off % 60 != 0) {
      std::snprintf(buf, sizeof(buf), ":%02d", off % 60);
      out += buf;
    }
  }
  return out;
}

namespace {

// Decodes one UTF-8 code point at s[*i]; invalid bytes decode as U+FFFD
// one byte at a time.
char32_t DecodeUtf8(std::string_view s, size_t* i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(*i);
  int len = b0 < 0x80           ? 1
            : (b0 >> 5) == 0x6  ? 2
            : (b0 >> 4) == 0xE  ? 3
            : (b0 >> 3) == 0x1E ? 4
                                : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  char32_t cp = len == 1   ? b0
                : len == 2 ? (b0 & 0x1F)
                : len == 3 ? (b0 & 0x0F)
                           : (b0 & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char b = byte(*i + k);
    if ((b >> 6) != 0x2) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  *i += len;
  return cp;
}

void EncodeUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Python's \w: letters, digits and '_' of any script. Outside ASCII this
// approximates Unicode by excluding the punctuation, symbol and space blocks.
bool IsWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
  }
  if (c == 0xFFFD) return false;
  if (c < 0xA0) return false;  // C1 controls
  if (c <= 0xBF) {
    // Latin-1 signs, except the letters and numbers among them (ª ² ³ µ ¹ º
    // ¼ ½ ¾), which Python counts as \w.
    return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 ||
           c == 0xBA || c == 0xBC || c == 0xBD || c == 0xBE;
  }
  if (c == 0xD7 || c == 0xF7) return false;      // × ÷
  if (c >= 0x2000 && c <= 0x2BFF) return false;  // punctuation, symbols
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK punctuation
  if (c >= 0xFE30 && c <= 0xFE4F) return false;
  if ((c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
      (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65)) {
    return false;
  }
  if (c >= 0x1F000 && c <= 0x1FAFF) return false;  // emoji
  return true;
}

char32_t ToLower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if (c <= 0xDE && c != 0xD7) return c + 0x20;  // Latin-1 À..Þ
  if (c >= 0x100 && c <= 0x17F) {               // Latin Extended-A
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    const bool even_upper = (c <= 0x137) || (c >= 0x14A && c <= 0x177);
    const bool odd_upper =
        (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (even_upper && c % 2 == 0) return c + 1;
    if (odd_upper && c % 2 == 1) return c + 1;
    return c;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;                // Ѐ..Џ
  if (((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF)) &&
      c % 2 == 0) {
    return c + 1;
  }
  return c;
}

}  // namespace

std::string Slugify(std::string_view message, int truncate_slug_length) {
  // Work in code points: Python's len() and slicing count characters.
  std::u32string slug;
  bool in_word = false;
  for (size_t i = 0; i < message.size();) {
    char32_t c = DecodeUtf8(message, &i);
    if (IsWordChar(c)) {
      if (!in_word && !slug.empty()) slug += U'_';
      slug += ToLower(c);
      in_word = true;
    } else {
      in_word = false;
    }
  }
  const size_t limit = static_cast<size_t>(std::max(truncate_slug_length, 0));
  if (slug.size() > limit) {
    slug.resize(limit);
    size_t last = slug.rfind(U'_');
    if (last != std::u32string::npos) slug.resize(last);
    slug += U'_';
  }
  std::string out;
  for (char32_t c : slug) EncodeUtf8(c, &out);
  return out;
}

Result<std::string> RenderFileName(std::string_view file_template,
                                   std::string_view rev_id,
                                   std::string_view message,
                                   const CreateDate& date,
                                   int truncate_slug_length) {
  const std::string where = "file_template " + Quote(file_template) + ": ";
  const std::string slug = Slugify(message, truncate_slug_length);
  std::string out;
  size_t i = 0;
  while (i < file_template.size()) {
    char c = file_template[i];
    if (c != '%') {
      out += c;
      ++i;
      continue;
    }
    const size_t token_start = i;
    ++i;
    if (i < file_template.size() && file_template[i] == '%') {
      out += '%';
      ++i;
      continue;
    }
    if (i >= file_template.size() || file_template[i] != '(') {
      return Status::InvalidArgument(
          where +
          "\"%\" must start a token such as %(rev)s, or be doubled "
          "(\"%%\") for a literal \"%\"");
    }
    const size_t close = file_template.find(')', i);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(where + "unterminated token " +
                                     Quote(file_template.substr(token_start)) +
                                     "; close it with \")\"");
    }
    const std::string_view key = file_template.substr(i + 1, close - i - 1);
    i = close + 1;
    bool left = false, zero = false, plus = false, space = false;
    for (; i < file_template.size(); ++i) {
      char f = file_template[i];
      if (f == '-')
        left = true;
      else if (f == '0')
        zero = true;
      else if (f == '+')
        plus = true;
      else if (f == ' ')
        space = true;
      else if (f != '#')
        break;
    }
    auto read_number = [&]() {
      int n = 0;
      while (i < file_template.size() && file_template[i] >= '0' &&
             file_template[i] <= '9') {
        n = n * 10 + (file_template[i] - '0');
        ++i;
      }
      return n;
    };
    const int width = read_number();
    std::optional<int> precision;
    if (i < file_template.size() && file_template[i] == '.') {
      ++i;
      precision = read_number();
    }
    while (i < file_template.size() &&
           (file_template[i] == 'h' || file_template[i] == 'l' ||
            file_template[i] == 'L')) {
      ++i;  // length modifiers: accepted and ignored, as in Python
    }
    if (i >= file_template.size()) {
      return Status::InvalidArgument(where + "token " +
                                     Quote(file_template.substr(token_start)) +
                                     " has no conversion; end it with s or d");
    }
    const char conv = file_template[i++];
    const std::string token(file_template.substr(token_start, i - token_start));

    std::optional<std::string> text;
    std::optional<int64_t> number;
    if (key == "rev")
      text = std::string(rev_id);
    else if (key == "slug")
      text = slug;
    else if (key == "epoch")
      number = date.epoch;
    else if (key == "year")
      number = date.year;
    else if (key == "month")
      number = date.month;
    else if (key == "day")
      number = date.day;
    else if (key == "hour")
      number = date.hour;
    else if (key == "minute")
      number = date.minute;
    else if (key == "second")
      number = date.second;
    else {
      return Status::InvalidArgument(where + "unknown token " + Quote(token) +
                                     "; known tokens are " +
                                     std::string(kFileTokens));
    }

    std::string field;
    if (conv == 's') {
      field = text ? *text : std::to_string(*number);
      if (precision && field.size() > static_cast<size_t>(*precision)) {
        field.resize(static_cast<size_t>(*precision));
      }
    } else if (conv == 'd' || conv == 'i' || conv == 'u') {
      if (!number) {
        return Status::InvalidArgument(
            where + "token " + Quote(token) + " needs a number, but " +
            std::string(key) + " is text; use %(" + std::string(key) + ")s");
      }
      std::string digits = std::to_string(*number < 0 ? -*number : *number);
      if (precision && digits.size() < static_cast<size_t>(*precision)) {
        digits.insert(0, static_cast<size_t>(*precision) - digits.size(), '0');
      }
      std::string sign = *number < 0 ? "-" : plus ? "+" : space ? " " : "";
      if (zero && !left &&
          sign.size() + digits.size() < static_cast<size_t>(width)) {
        digits.insert(0, width - sign.size() - digits.size(), '0');
      }
      field = sign + digits;
    } else {
      return Status::InvalidArgument(where + "unsupported conversion " +
                                     Quote(token) + "; use s or d");
    }
    if (field.size() < static_cast<size_t>(width)) {
      const std::string pad(width - field.size(), ' ');
      field = left ? field + pad : pad + field;
    }
    out += field;
  }

  // The name may hold subfolders, but must stay inside the version folder.
  bool bad = out.empty() || out[0] == '/' || out.back() == '/' ||
             out.find('\0') != std::string::npos;
  for (size_t start = 0; !bad && start <= out.size();) {
    size_t slash = out.find('/', start);
    std::string_view part = std::string_view(out).substr(
        start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") bad = true;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (bad) {
    return Status::InvalidArgument(
        where + "gives the file name " + Quote(out) +
        "; a file name must be relative and stay inside the version folder");
  }
  return out;
}

std::string NewRevisionId() {
  std::random_device device;
  uint64_t bits = (uint64_t{device()} << 32) | device();
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%012llx",
                static_cast<unsigned long long>(bits & 0xFFFFFFFFFFFFULL));
  return buf;
}

Result<std::string> WriteRevisionFile(const NewRevisionFile& file) {
  Status id_status = ValidateRevisionId(file.rev_id);
  if (!id_status.ok()) return id_status.WithContext("new revision id");
  const std::string message = file.message.value_or("empty message");
  RETORT_ASSIGN_OR_RETURN(
      std::string name,
      RenderFileName(file.file_template, file.rev_id, file.message.value_or(""),
                     file.create_date, file.truncate_slug_length));
  std::string path = file.directory;
  if (!path.empty() && path.back() != '/') path += '/';
  path += name + ".sql";

  TemplateValues values;
  values.message = message;
  values.up_revision = file.rev_id;
  values.down_revisions = file.down_revisions;
  values.branch_labels = file.branch_labels;
  values.depends_on = file.depends_on;
  values.create_date = FormatCreateDate(file.create_date);
  values.upgrades = file.upgrades;
  values.downgrades = file.downgrades;
  values.transactional = file.transactional;
  values.lock_timeout = file.lock_timeout;
  values.phase = file.phase;
  values.squashes = file.squashes;
  RETORT_ASSIGN_OR_RETURN(
      std::string content,
      RenderScriptTemplate(file.script_template, file.script_template_path,
                           values, file.passthrough_placeholders));

  // The squashed file's own checksum, over the text without its line.
  if (!file.squashes.empty()) {
    constexpr std::string_view kLine = "-- Squash Checksum: ";
    const size_t at = content.find(kLine);
    if (at != std::string::npos) {
      content.replace(at + kLine.size(), 7 + 64, SquashChecksum(content));
    }
  }

  // The template is user-editable: check that what it produced is a valid
  // revision file declaring what was asked for.
  const std::string check_context =
      file.script_template_path + ": the rendered revision file is not valid";
  Result<RevisionFile> header = ParseRevisionHeader(content, path);
  if (!header.ok()) return header.status().WithContext(check_context);
  Result<RevisionSections> sections = ParseRevisionSections(content, path);
  if (!sections.ok()) return sections.status().WithContext(check_context);
  const Revision& rev = header->revision;
  if (rev.id != file.rev_id || rev.down_revisions != file.down_revisions ||
      rev.branch_labels != file.branch_labels ||
      rev.depends_on != file.depends_on ||
      header->transactional.value_or(true) != file.transactional ||
      header->lock_timeout != file.lock_timeout ||
      header->phase != file.phase || header->squashes != file.squashes) {
    return Status::InvalidArgument(
        check_context + ": its header does not declare the new revision " +
        "(Revision ID, Revises, Branch Labels, Depends On, Transactional, "
        "Lock Timeout, Phase, Squashes); "
        "check the template's header lines");
  }

  std::error_code ec;
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Status::IOError(parent.string() +
                             ": cannot create the folder: " + ec.message());
    }
  }
  Status written = WriteFileAtomically(path, content, /*replace=*/false);
  if (written.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists(path +
                                 ": already exists; not overwriting it (use "
                                 "another --rev-id or message)");
  }
  RETORT_RETURN_IF_ERROR(written);
  return path;
}

Result<std::string> LoadScriptTemplate(const std::string& template_path) {
  Result<std::string> text = ReadFile(template_path);
  if (!text.ok() && text.status().code() == Status::Code::kNotFound) {
    return Status::NotFound(template_path +
                            ": no such file; restore the template (\"retort "
                            "init\" writes the default one into a new folder)");
  }
  return text;
}

}  // namespace retort
