// The journal on real files in a temporary directory: durability across
// reopen, torn and damaged files, compaction, the directory lock.
#include "daemon/state/lease_journal.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "tests/state/state_test_util.h"

namespace chaosnet::state {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::FullLease;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::SmallLease;
using testing::TempDir;
namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<std::string> Ids(const std::vector<StoredLease>& leases) {
  std::vector<std::string> ids;
  for (const StoredLease& l : leases) ids.push_back(l.id);
  return ids;
}

LeaseJournal MustOpen(const std::string& dir, JournalOptions options = {}) {
  auto j = LeaseJournal::Open(dir, options);
  if (!j.ok()) ADD_FAILURE() << j.status().message();
  return std::move(j).value();
}

TEST(LeaseJournal, OpenCreatesTheDirectoryAndAnEmptyJournal) {
  TempDir tmp;
  const std::string dir = tmp.Sub("state/nested");
  LeaseJournal j = MustOpen(dir);
  EXPECT_THAT(j.Live(), IsEmpty());
  EXPECT_TRUE(j.report().clean());
  EXPECT_EQ(j.path(), dir + "/leases.journal");
  EXPECT_EQ(ReadFile(j.path()), EncodeFileHeader());
}

TEST(LeaseJournal, WhatWasPutIsThereAfterReopen) {
  TempDir tmp;
  StoredLease changed = SmallLease("c");
  {
    LeaseJournal j = MustOpen(tmp.path());
    ASSERT_TRUE(j.Put(FullLease("a")).ok());
    ASSERT_TRUE(j.Put(SmallLease("b")).ok());
    ASSERT_TRUE(j.Put(SmallLease("c")).ok());
    ASSERT_TRUE(j.Remove("b").ok());
    changed.state = LeaseState::kEnded;
    ASSERT_TRUE(j.Put(changed).ok());
    EXPECT_THAT(Ids(j.Live()), ElementsAre("a", "c"));
    EXPECT_EQ(j.stats().entries_in_file, 5u);
  }
  LeaseJournal j = MustOpen(tmp.path());
  EXPECT_TRUE(j.report().clean());
  EXPECT_EQ(j.report().entries_replayed, 5u);
  ASSERT_THAT(Ids(j.Live()), ElementsAre("a", "c"));
  EXPECT_EQ(j.Live()[0], FullLease("a"));
  EXPECT_EQ(j.Live()[1], changed);
  ASSERT_NE(j.Find("c"), nullptr);
  EXPECT_EQ(j.Find("b"), nullptr);
}

TEST(LeaseJournal, RefusedCallsWriteNothing) {
  TempDir tmp;
  LeaseJournal j = MustOpen(tmp.path());
  const auto before = fs::file_size(j.path());
  EXPECT_EQ(j.Put(SmallLease("")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(j.Remove("nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(fs::file_size(j.path()), before);
}

// Batches (issue 19): many records in one append, all or nothing.
TEST(LeaseJournal, PutManyAndRemoveManyRecordABatchInOneAppend) {
  TempDir tmp;
  {
    LeaseJournal j = MustOpen(tmp.path());
    const auto before = fs::file_size(j.path());
    // One bad record refuses the whole batch before anything is written.
    EXPECT_EQ(j.PutMany({SmallLease("a"), SmallLease(""), SmallLease("c")}).code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(fs::file_size(j.path()), before);
    EXPECT_THAT(j.Live(), IsEmpty());

    ASSERT_TRUE(j.PutMany({FullLease("a"), SmallLease("b"), SmallLease("c")}).ok());
    EXPECT_THAT(Ids(j.Live()), ElementsAre("a", "b", "c"));
    EXPECT_EQ(j.stats().entries_in_file, 3u);
    // Unknown ids are skipped; the known ones go in one append.
    ASSERT_TRUE(j.RemoveMany({"b", "nope", "c"}).ok());
    EXPECT_EQ(j.stats().entries_in_file, 5u);
    EXPECT_EQ(j.stats().bytes_in_file, fs::file_size(j.path()));
    ASSERT_TRUE(j.RemoveMany({"nope"}).ok());
    EXPECT_EQ(j.stats().entries_in_file, 5u);
  }
  LeaseJournal j = MustOpen(tmp.path());
  EXPECT_TRUE(j.report().clean());
  EXPECT_EQ(j.report().entries_replayed, 5u);
  ASSERT_THAT(Ids(j.Live()), ElementsAre("a"));
  EXPECT_EQ(j.Live()[0], FullLease("a"));
}

TEST(LeaseJournal, OneProcessPerStateDirectory) {
  TempDir tmp;
  {
    LeaseJournal first = MustOpen(tmp.path());
    auto second = LeaseJournal::Open(tmp.path());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(second.status().message(), HasSubstr("in use by another chaosnetd"));
  }
  EXPECT_TRUE(LeaseJournal::Open(tmp.path()).ok()) << "the lock goes with the journal";
}

TEST(LeaseJournal, MovedJournalKeepsWorking) {
  TempDir tmp;
  LeaseJournal a = MustOpen(tmp.path());
  LeaseJournal b = std::move(a);
  ASSERT_TRUE(b.Put(SmallLease("x")).ok());
  EXPECT_THAT(Ids(b.Live()), ElementsAre("x"));
}

// A crash in the middle of the last append, at every possible byte: the file
// is repaired to the complete entries, and appending continues after them.
TEST(LeaseJournal, TornTailOnDiskIsTruncatedAtEveryCut) {
  TempDir tmp;
  std::string full;
  uint64_t complete = 0;
  {
    LeaseJournal j = MustOpen(tmp.Sub("source"));
    ASSERT_TRUE(j.Put(FullLease("a")).ok());
    ASSERT_TRUE(j.Put(SmallLease("b")).ok());
    complete = fs::file_size(j.path());
    ASSERT_TRUE(j.Put(SmallLease("c")).ok());
    full = ReadFile(j.path());
  }
  for (uint64_t cut = complete; cut < full.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const std::string dir = tmp.Sub("cut" + std::to_string(cut));
    fs::create_directories(dir);
    WriteFile(dir + "/leases.journal", full.substr(0, cut));
    {
      LeaseJournal j = MustOpen(dir);
      EXPECT_THAT(Ids(j.Live()), ElementsAre("a", "b"));
      EXPECT_EQ(j.report().torn_tail, cut != complete);
      EXPECT_FALSE(j.report().corrupt);
      EXPECT_THAT(j.report().errors, IsEmpty());
      EXPECT_EQ(fs::file_size(dir + "/leases.journal"), complete);
      ASSERT_TRUE(j.Put(SmallLease("d")).ok());
    }
    LeaseJournal again = MustOpen(dir);
    EXPECT_TRUE(again.report().clean());
    EXPECT_THAT(Ids(again.Live()), ElementsAre("a", "b", "d"));
    fs::remove_all(dir);
  }
}

TEST(LeaseJournal, DamagedJournalIsSetAsideAndItsGoodPrefixKept) {
  TempDir tmp;
  uint64_t second_entry = 0;
  {
    LeaseJournal j = MustOpen(tmp.path());
    ASSERT_TRUE(j.Put(SmallLease("a")).ok());
    second_entry = fs::file_size(j.path());
    for (const char* id : {"b", "c", "d"}) ASSERT_TRUE(j.Put(SmallLease(id)).ok());
  }
  const std::string path = tmp.Sub("leases.journal");
  std::string bytes = ReadFile(path);
  bytes[second_entry + 40] ^= 0x01;
  WriteFile(path, bytes);

  {
    LeaseJournal j = MustOpen(tmp.path());
    EXPECT_THAT(Ids(j.Live()), ElementsAre("a"));
    const LoadReport& r = j.report();
    EXPECT_TRUE(r.corrupt);
    EXPECT_EQ(r.corrupt_offset, second_entry);
    EXPECT_EQ(r.entries_discarded, 3u);
    EXPECT_EQ(r.preserved_as, path + ".corrupt.1");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_THAT(r.errors[0], HasSubstr("kept as " + path + ".corrupt.1"));
    EXPECT_EQ(ReadFile(r.preserved_as), bytes) << "the evidence is kept byte for byte";
    ASSERT_TRUE(j.Put(SmallLease("e")).ok());
  }
  LeaseJournal j = MustOpen(tmp.path());
  EXPECT_TRUE(j.report().clean());
  EXPECT_THAT(Ids(j.Live()), ElementsAre("a", "e"));
}

TEST(LeaseJournal, NotAJournalIsSetAsideNotOverwrittenInPlace) {
  TempDir tmp;
  WriteFile(tmp.Sub("leases.journal"), "hello, I am a text file\n");
  WriteFile(tmp.Sub("leases.journal.corrupt.1"), "older evidence");
  LeaseJournal j = MustOpen(tmp.path());
  EXPECT_TRUE(j.report().corrupt);
  EXPECT_EQ(j.report().preserved_as, tmp.Sub("leases.journal.corrupt.2"));
  EXPECT_EQ(ReadFile(tmp.Sub("leases.journal.corrupt.1")), "older evidence");
  EXPECT_EQ(ReadFile(tmp.Sub("leases.journal")), EncodeFileHeader());
}

TEST(LeaseJournal, NewerJournalIsRefusedAndLeftUntouched) {
  TempDir tmp;
  std::string header = EncodeFileHeader();
  header[4] = 2;
  WriteFile(tmp.Sub("leases.journal"), header + "future stuff");
  auto j = LeaseJournal::Open(tmp.path());
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(tmp.Sub("leases.journal")), header + "future stuff");
}

TEST(LeaseJournal, LeftoverSnapshotFromAnInterruptedCompactionIsDropped) {
  TempDir tmp;
  {
    LeaseJournal j = MustOpen(tmp.path());
    ASSERT_TRUE(j.Put(SmallLease("a")).ok());
  }
  WriteFile(tmp.Sub("leases.journal.tmp"), "half a snapshot");
  LeaseJournal j = MustOpen(tmp.path());
  EXPECT_THAT(Ids(j.Live()), ElementsAre("a"));
  EXPECT_FALSE(fs::exists(tmp.Sub("leases.journal.tmp")));
  ASSERT_EQ(j.report().warnings.size(), 1u);
  EXPECT_THAT(j.report().warnings[0], HasSubstr("compaction cut short"));
}

TEST(LeaseJournal, CompactionKeepsExactlyTheLiveSet) {
  TempDir tmp;
  std::map<std::string, StoredLease> expected;
  LeaseJournal j = MustOpen(tmp.path());
  for (int i = 0; i < 50; ++i) {
    StoredLease l = SmallLease("lease" + std::to_string(100 + i), i + 1);
    ASSERT_TRUE(j.Put(l).ok());
    expected[l.id] = l;
  }
  for (int i = 0; i < 30; ++i) {
    const std::string id = "lease" + std::to_string(100 + i);
    ASSERT_TRUE(j.Remove(id).ok());
    expected.erase(id);
  }
  for (int i = 40; i < 50; ++i) {
    StoredLease l = expected.at("lease" + std::to_string(100 + i));
    l.deadline += 1h;
    ASSERT_TRUE(j.Put(l).ok());
    expected[l.id] = l;
  }
  EXPECT_EQ(j.stats().entries_in_file, 90u);
  ASSERT_TRUE(j.Compact().ok());
  EXPECT_EQ(j.stats().entries_in_file, 20u);
  EXPECT_EQ(j.stats().compactions, 1u);

  std::string snapshot = EncodeFileHeader();
  for (const auto& [id, l] : expected) snapshot += EncodeUpsert(l);
  EXPECT_EQ(ReadFile(j.path()), snapshot) << "the snapshot is the live set, in id order";
  EXPECT_FALSE(fs::exists(j.path() + ".tmp"));

  std::vector<StoredLease> want;
  for (const auto& [id, l] : expected) want.push_back(l);
  EXPECT_EQ(j.Live(), want);
}

TEST(LeaseJournal, ReopenAfterCompactionAndAppendAfterIt) {
  TempDir tmp;
  {
    LeaseJournal j = MustOpen(tmp.path());
    for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(j.Put(SmallLease(id)).ok());
    ASSERT_TRUE(j.Remove("b").ok());
    ASSERT_TRUE(j.Compact().ok());
    ASSERT_TRUE(j.Put(SmallLease("d")).ok());  // appended to the snapshot
  }
  {
    LeaseJournal j = MustOpen(tmp.path());
    EXPECT_TRUE(j.report().clean());
    EXPECT_EQ(j.report().entries_replayed, 3u);
    EXPECT_THAT(Ids(j.Live()), ElementsAre("a", "c", "d"));
    ASSERT_TRUE(j.Remove("a").ok());
  }
  LeaseJournal j = MustOpen(tmp.path());
  EXPECT_THAT(Ids(j.Live()), ElementsAre("c", "d"));
}

// Churn with a small threshold: the journal compacts by itself, stays bounded,
// and always reloads to the same live set as a plain map kept alongside.
TEST(LeaseJournal, CompactsByItselfAndStaysBounded) {
  TempDir tmp;
  JournalOptions options;
  options.compact_min_entries = 8;
  std::map<std::string, StoredLease> model;
  {
    LeaseJournal j = MustOpen(tmp.path(), options);
    for (int i = 0; i < 200; ++i) {
      const std::string id = "l" + std::to_string(i % 7);
      if (i % 3 == 2 && model.count(id)) {
        ASSERT_TRUE(j.Remove(id).ok());
        model.erase(id);
      } else {
        StoredLease l = SmallLease(id, i + 1);
        ASSERT_TRUE(j.Put(l).ok());
        model[id] = l;
      }
      EXPECT_LE(j.stats().entries_in_file, std::max<size_t>(8, 2 * model.size()));
      EXPECT_TRUE(j.stats().last_compaction.ok());
    }
    EXPECT_GT(j.stats().compactions, 10u);
  }
  LeaseJournal j = MustOpen(tmp.path(), options);
  std::vector<StoredLease> want;
  for (const auto& [id, l] : model) want.push_back(l);
  EXPECT_EQ(j.Live(), want);
}

TEST(LeaseJournal, CompactsOnSizeToo) {
  TempDir tmp;
  JournalOptions options;
  options.compact_min_entries = 1'000'000;
  options.compact_min_bytes = 8 * 1024;
  LeaseJournal j = MustOpen(tmp.path(), options);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(j.Put(FullLease("same")).ok());
  EXPECT_GT(j.stats().compactions, 0u);
  EXPECT_LE(j.stats().bytes_in_file, 8u * 1024);
  EXPECT_EQ(fs::file_size(j.path()), j.stats().bytes_in_file);
}

}  // namespace
}  // namespace chaosnet::state

namespace chaosnet::state {
namespace {

// Nothing is fsync'd: what a Put or Remove wrote when it returned is in the
// page cache, which outlives the daemon however it dies. The child dies by
// SIGKILL straight after its last call: no destructor, no close, no flush.
TEST(LeaseJournalDurability, WhatReturnedSurvivesTheWritersSigkill) {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("state");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto j = LeaseJournal::Open(dir);
    if (!j.ok() || !j->Put(testing::SmallLease("a")).ok() ||
        !j->Put(testing::SmallLease("b")).ok() || !j->Remove("b").ok()) {
      ::_exit(1);
    }
    ::raise(SIGKILL);
    ::_exit(2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;

  auto reopened = LeaseJournal::Open(dir);  // the lock died with its holder
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  ASSERT_EQ(reopened->size(), 1u);
  EXPECT_NE(reopened->Find("a"), nullptr);
  EXPECT_TRUE(reopened->report().clean());
}

// The directory the daemon creates for its records is its own.
TEST(LeaseJournalDurability, ANewStateDirectoryIsPrivate) {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("run") + "/state";
  ASSERT_TRUE(LeaseJournal::Open(dir).ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace chaosnet::state

namespace chaosnet::state {
namespace {

// With a forced-compaction factor, the journal first only asks for compaction
// (the daemon runs it at a quiet moment) and compacts by itself only once it
// is that many times over its limits.
TEST(LeaseJournalCompaction, AsksFirstAndForcesOnlyFarOverTheLimits) {
  testing::TempDir tmp;
  JournalOptions options;
  options.compact_min_entries = 8;
  options.forced_compaction_factor = 4;
  auto opened = LeaseJournal::Open(tmp.path(), options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  LeaseJournal& j = *opened;
  for (int i = 1; i <= 9; ++i) ASSERT_TRUE(j.Put(testing::SmallLease("a", i)).ok());
  EXPECT_TRUE(j.WantsCompaction());
  EXPECT_EQ(j.stats().compactions, 0u);

  ASSERT_TRUE(j.Compact().ok());
  EXPECT_FALSE(j.WantsCompaction());
  EXPECT_EQ(j.stats().entries_in_file, 1u);

  for (int i = 1; i <= 31; ++i) ASSERT_TRUE(j.Put(testing::SmallLease("a", i)).ok());
  EXPECT_EQ(j.stats().compactions, 1u) << "32 entries is 4 x 8: not yet forced";
  ASSERT_TRUE(j.Put(testing::SmallLease("a", 33)).ok());
  EXPECT_EQ(j.stats().compactions, 2u);
  EXPECT_EQ(j.Find("a")->ifindex, 33);
}

}  // namespace
}  // namespace chaosnet::state
