// Tests for Redact: URL passwords in free text, keyword passwords, and
// registered secrets (Vault tokens and values).
#include "config/redact.h"

#include <gtest/gtest.h>

namespace retort {
namespace {

class ConfigRedactTest : public ::testing::Test {
 protected:
  void SetUp() override { ClearRegisteredSecretsForTesting(); }
  void TearDown() override { ClearRegisteredSecretsForTesting(); }
};

TEST_F(ConfigRedactTest, UrlPasswordsInText) {
  EXPECT_EQ(Redact("cannot connect to postgresql://app:S3cret@db:5432/game: "
                   "refused"),
            "cannot connect to postgresql://app:***@db:5432/game: refused");
  // Two URLs in one line: each is masked on its own.
  EXPECT_EQ(
      Redact("from postgres://a:x1@h1/d to postgresql+psycopg2://b:y2@h2/e"),
      "from postgres://a:***@h1/d to postgresql+psycopg2://b:***@h2/e");
  // The token's tail after password= is masked whole (quote included):
  // RedactedUrl errs on the safe side.
  EXPECT_EQ(Redact("url 'postgresql://u:p%40ss@h/db?password=q' bad"),
            "url 'postgresql://u:***@h/db?password=*** bad");
  // Whatever stands before the scheme: the URL is still found and masked.
  EXPECT_EQ(Redact("(url=\"postgresql://u:S3cret@h/db\")"),
            "(url=\"postgresql://u:***@h/db\")");
  EXPECT_EQ(Redact("<postgres://a:pw1@h/d>"), "<postgres://a:***@h/d>");
}

TEST_F(ConfigRedactTest, KeywordPasswords) {
  EXPECT_EQ(Redact("conninfo host=h password=S3cret dbname=d is wrong"),
            "conninfo host=h password=*** dbname=d is wrong");
  EXPECT_EQ(Redact("host=h password='a b' dbname=d"),
            "host=h password=*** dbname=d");
}

TEST_F(ConfigRedactTest, TextWithoutSecretsIsUnchanged) {
  const char* texts[] = {"",
                         "plain words",
                         "sqlite:///x.db",
                         "postgresql://app@host/db",
                         "ratio 3:4 at noon",
                         "vault:secret/data/game/db#url: no secret"};
  for (const char* t : texts) EXPECT_EQ(Redact(t), t);
}

TEST_F(ConfigRedactTest, RegisteredSecrets) {
  RegisterSecret("hvs.CAESIToken");
  RegisterSecret("abc");  // too short to register
  EXPECT_EQ(Redact("token hvs.CAESIToken, again hvs.CAESIToken; abc"),
            "token ***, again ***; abc");
}

TEST_F(ConfigRedactTest, RegisteredUrlRegistersItsPassword) {
  RegisterSecret("postgresql://app:p%40ss%21word@db/game");
  // The password alone (as written and decoded) is masked too, e.g. in a
  // driver message that quotes it.
  EXPECT_EQ(Redact("saw p%40ss%21word and p@ss!word"), "saw *** and ***");
  EXPECT_EQ(Redact("postgresql://app:p%40ss%21word@db/game"), "***");
}

TEST_F(ConfigRedactTest, LongestSecretFirst) {
  RegisterSecret("secret");
  RegisterSecret("secret-and-more");
  EXPECT_EQ(Redact("x secret-and-more y secret"), "x *** y ***");
}

}  // namespace
}  // namespace retort
