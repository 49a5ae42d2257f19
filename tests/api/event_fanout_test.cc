#include "daemon/api/event_fanout.h"

#include <gtest/gtest.h>

#include <memory>

namespace chaosnet::api {
namespace {

std::shared_ptr<const v1::FaultEvent> EventOf(const std::string& id) {
  auto event = std::make_shared<v1::FaultEvent>();
  event->mutable_fault()->set_id(id);
  return event;
}

TEST(EventFanoutTest, KeepsTheLastWindowOfEventsByNumber) {
  EventFanout fanout(3);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(fanout.Append(EventOf("f" + std::to_string(i))), i);
  std::shared_ptr<const v1::FaultEvent> event;
  EXPECT_EQ(fanout.At(1, &event), EventFanout::Position::kFellBehind);
  ASSERT_EQ(fanout.At(2, &event), EventFanout::Position::kReady);
  EXPECT_EQ(event->fault().id(), "f2");
  EXPECT_EQ(fanout.At(5, &event), EventFanout::Position::kCaughtUp);
  EXPECT_EQ(fanout.next_seq(), 5u);
}

TEST(EventFanoutTest, DropAllFreesTheEventsAndKeepsTheNumbering) {
  EventFanout fanout(100);
  auto first = EventOf("a");
  std::weak_ptr<const v1::FaultEvent> held = first;
  fanout.Append(std::move(first));
  fanout.Append(EventOf("b"));
  fanout.DropAll();
  EXPECT_TRUE(held.expired()) << "the window still holds a dropped event";
  std::shared_ptr<const v1::FaultEvent> event;
  // A reader still at 0 or 1 learns it fell behind, not that nothing happened.
  EXPECT_EQ(fanout.At(0, &event), EventFanout::Position::kFellBehind);
  EXPECT_EQ(fanout.At(1, &event), EventFanout::Position::kFellBehind);
  EXPECT_EQ(fanout.next_seq(), 2u);
  EXPECT_EQ(fanout.Append(EventOf("c")), 2u);
  ASSERT_EQ(fanout.At(2, &event), EventFanout::Position::kReady);
  EXPECT_EQ(event->fault().id(), "c");
}

}  // namespace
}  // namespace chaosnet::api
