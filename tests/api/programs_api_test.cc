// Programs (feature "programs") through a real daemon on the host kernel:
// rate step lists (htb, no netem needed) changed in place on the daemon's
// clock, STEPPED events only for watchers that ask (after the lease event
// they follow), the record's position, refusals, and the daemon's
// announcement. The netem programs with real traffic are in the guest:
// tests/guest/programs.test.sh.
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "tests/api/api_fixture.h"

namespace chaosnet::testing {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;

class ProgramsApiTest : public ApiTest {
 protected:
  // A rate fault stepping 8 -> 2 -> 1 mbit, 300 ms each (the last holds).
  pb::CreateFaultRequest RateSteps() const {
    pb::CreateFaultRequest r = RateRequest(8'000'000);
    auto* steps = r.mutable_spec()->mutable_program()->mutable_steps();
    for (uint64_t bps : {8'000'000, 2'000'000, 1'000'000}) {
      auto* s = steps->add_steps();
      *s->mutable_duration() = TimeUtil::MillisecondsToDuration(300);
      s->mutable_values()->set_rate_bits_per_second(bps);
    }
    return r;
  }
};

TEST_F(ProgramsApiTest, TheDaemonAnnouncesPrograms) {
  pb::Info info;
  ASSERT_TRUE(stub_->GetInfo(Ctx().get(), pb::GetInfoRequest(), &info).ok());
  EXPECT_THAT(info.features(), ::testing::Contains("programs"));
}

TEST_F(ProgramsApiTest, StepsChangeTheClassInPlaceAndWatchersWhoAskSeeThem) {
  grpc::ClientContext with_ctx, without_ctx;
  pb::WatchRequest with_steps;
  with_steps.set_steps(true);
  with_steps.set_send_initial(true);  // its (empty) snapshot: the stream is in place
  auto with = stub_->Watch(&with_ctx, with_steps);
  pb::WatchRequest plain;
  plain.set_send_initial(true);
  auto without = stub_->Watch(&without_ctx, plain);
  // Without live faults a snapshot is empty: make sure both streams are
  // subscribed before the create by a fault that is then revoked.
  pb::CreateFaultResponse marker;
  ASSERT_TRUE(Create(RateRequest(), &marker).ok());
  pb::FaultEvent e;
  ASSERT_TRUE(with->Read(&e));
  ASSERT_TRUE(without->Read(&e));
  pb::Fault ended;
  pb::RevokeFaultRequest revoke;
  revoke.set_id(marker.fault().id());
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &ended).ok());

  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateSteps(), &created).ok());
  const std::string id = created.fault().id();
  ASSERT_TRUE(created.fault().has_program());
  EXPECT_EQ(created.fault().program().index(), 0u);
  EXPECT_EQ(created.fault().program().steps_per_cycle(), 3u);
  EXPECT_THAT(Classes(), HasSubstr("rate 8Mbit"));

  // The steps are made on the daemon's clock: at +300 ms and +600 ms.
  pb::Fault f = PollUntil([&] { return Get(id); },
                          [](const pb::Fault& g) { return g.program().index() == 2; },
                          std::chrono::seconds(10));
  ASSERT_EQ(f.program().index(), 2u) << f.DebugString();
  EXPECT_FALSE(f.program().has_next_step_at()) << "the last step holds";
  EXPECT_EQ(f.program().values().rate_bits_per_second(), 1'000'000u);
  EXPECT_THAT(Classes(), HasSubstr("rate 1Mbit"));
  EXPECT_EQ(f.spec().program().steps().steps_size(), 3);

  // The stream that asked: APPLIED of the marker was read; REVOKED, APPLIED,
  // then a STEPPED for each step, in that order, the steps carrying the
  // sequence of the APPLIED they follow.
  std::vector<pb::EventType> types;
  uint64_t applied_seq = 0;
  while (types.size() < 4 && with->Read(&e)) {
    types.push_back(e.type());
    if (e.type() == pb::EVENT_TYPE_APPLIED) applied_seq = e.sequence();
    if (e.type() == pb::EVENT_TYPE_STEPPED) {
      EXPECT_EQ(e.fault().id(), id);
      EXPECT_EQ(e.sequence(), applied_seq);
      EXPECT_EQ(e.fault().program().index(), types.size() - 2);
    }
  }
  EXPECT_EQ(types, (std::vector<pb::EventType>{pb::EVENT_TYPE_REVOKED, pb::EVENT_TYPE_APPLIED,
                                               pb::EVENT_TYPE_STEPPED, pb::EVENT_TYPE_STEPPED}));
  // The other stream sees the lease events only: the revoke of this fault
  // comes right after its APPLIED.
  revoke.set_id(id);
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &ended).ok());
  types.clear();
  while (types.size() < 3 && without->Read(&e)) types.push_back(e.type());
  EXPECT_EQ(types, (std::vector<pb::EventType>{pb::EVENT_TYPE_REVOKED, pb::EVENT_TYPE_APPLIED,
                                               pb::EVENT_TYPE_REVOKED}));
  with_ctx.TryCancel();
  without_ctx.TryCancel();
}

TEST_F(ProgramsApiTest, ABadProgramIsRefusedWithNothingPlaced) {
  pb::CreateFaultRequest r = RateSteps();
  *r.mutable_spec()->mutable_program()->mutable_steps()->mutable_steps(1)->mutable_duration() =
      TimeUtil::MillisecondsToDuration(1);
  pb::CreateFaultResponse created;
  grpc::Status s = Create(r, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("shortest step"));
  EXPECT_FALSE(HasOwnedQdisc());

  pb::CreateFaultRequest shapeless = RateRequest();
  shapeless.mutable_spec()->mutable_program()->set_repeat(2);
  s = Create(shapeless, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("needs a ramp, steps or a flap"));
  EXPECT_FALSE(HasOwnedQdisc());
}

}  // namespace
}  // namespace chaosnet::testing
