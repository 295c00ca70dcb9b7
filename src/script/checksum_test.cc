// Line-ending-normalised checksums: CRLF, LF and lone CR hash alike, and
// rows recorded over raw bytes still match.
#include "script/checksum.h"

#include <gtest/gtest.h>

#include "script/sha256.h"

namespace retort {
namespace {

TEST(Checksum, LineEndingsAreNormalised) {
  const std::string lf = "-- a\nSELECT 1;\n";
  EXPECT_EQ(TextChecksum(lf), Sha256Hex(lf));
  EXPECT_EQ(TextChecksum("-- a\r\nSELECT 1;\r\n"), Sha256Hex(lf));
  EXPECT_EQ(TextChecksum("-- a\rSELECT 1;\r"), Sha256Hex(lf));
  EXPECT_EQ(TextChecksum("-- a\r\n\rSELECT 1;\n"),
            Sha256Hex("-- a\n\nSELECT 1;\n"));
  EXPECT_NE(TextChecksum("-- a\nSELECT 2;\n"), Sha256Hex(lf));
  EXPECT_EQ(TextChecksum(""), Sha256Hex(""));
}

TEST(Checksum, OldRawByteRowsStillMatch) {
  const std::string crlf = "SELECT 1;\r\n";
  // A row written before normalisation holds the raw bytes' hash.
  EXPECT_TRUE(ChecksumMatches(Sha256Hex(crlf), crlf));
  EXPECT_TRUE(ChecksumMatches(TextChecksum(crlf), crlf));
  // The file converted to LF since: the new form matches.
  EXPECT_TRUE(ChecksumMatches(TextChecksum(crlf), "SELECT 1;\n"));
  EXPECT_FALSE(ChecksumMatches(Sha256Hex(crlf), "SELECT 2;\r\n"));
  EXPECT_FALSE(ChecksumMatches(TextChecksum(crlf), "SELECT 2;\n"));
}

}  // namespace
}  // namespace retort
