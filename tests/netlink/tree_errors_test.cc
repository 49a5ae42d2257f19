// Kernel answers to fault-tree requests -> Status, and the names objects get
// in messages. The errno/extack pairs are the ones measured on 6.18 with tc.
#include "daemon/netlink/tree_errors.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "daemon/netlink/tc_object_text.h"

namespace chaosnet::netlink {
namespace {

struct GoneCase {
  int error;
  const char* ext_ack;
  bool gone;
};

TEST(TreeErrorsTest, WhichDeleteFailuresMeanAlreadyGone) {
  const GoneCase cases[] = {
      {ENOENT, "", true},  // class del of a missing class: no extack at all
      {ENOENT, "Filter with specified priority/protocol not found.", true},
      {ENOENT, "Cannot find specified filter chain.", true},
      {ENOENT, "Cannot find specified qdisc on specified device.", true},
      {ENODEV, "", true},
      {EINVAL, "Parent Qdisc doesn't exists.", true},
      {EINVAL, "Invalid handle.", true},  // root replaced by someone else's
      {EINVAL, "Protocol mismatch for filter with specified priority.", false},
      {EINVAL, "", false},
      {EBUSY, "HTB class in use.", false},
      {EPERM, "", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsAlreadyGone(KernelError{c.error, c.ext_ack}), c.gone)
        << "errno " << c.error << " \"" << c.ext_ack << "\"";
  }
}

struct StatusCase {
  int error;
  const char* ext_ack;
  StatusCode code;
};

TEST(TreeErrorsTest, MapsErrnoAndExtackToCodes) {
  const StatusCase cases[] = {
      {ENOENT, "Specified qdisc kind is unknown.", StatusCode::kFailedPrecondition},
      {ENOENT, "TC classifier not found.", StatusCode::kFailedPrecondition},
      {ENOENT, "Failed to load TC action module.", StatusCode::kFailedPrecondition},
      {ENOENT, "", StatusCode::kNotFound},
      {ENODEV, "", StatusCode::kNotFound},
      {EEXIST, "NLM_F_REPLACE needed to override.", StatusCode::kAlreadyExists},
      {EPERM, "", StatusCode::kPermissionDenied},
      {EACCES, "", StatusCode::kPermissionDenied},
      {EINVAL, "Parent Qdisc doesn't exists.", StatusCode::kInvalidArgument},
      {ERANGE, "", StatusCode::kInvalidArgument},
      {EBUSY, "HTB class in use.", StatusCode::kFailedPrecondition},
      {EOPNOTSUPP, "", StatusCode::kFailedPrecondition},
      {EIO, "", StatusCode::kInternal},
  };
  for (const auto& c : cases) {
    const Status s = TreeErrorStatus(KernelError{c.error, c.ext_ack}, "adding X", "u32");
    EXPECT_EQ(s.code(), c.code) << "errno " << c.error << " \"" << c.ext_ack
                                << "\": " << s.message();
    EXPECT_EQ(s.message().rfind("adding X", 0), 0u) << s.message();
    if (c.code == StatusCode::kFailedPrecondition && c.error == ENOENT &&
        std::string(c.ext_ack).find("qdisc kind") != std::string::npos) {
      EXPECT_NE(s.message().find("kernel has no u32 qdisc"), std::string::npos) << s.message();
    } else if (*c.ext_ack != '\0') {
      EXPECT_NE(s.message().find(c.ext_ack), std::string::npos) << s.message();
    }
  }
  EXPECT_TRUE(TreeErrorStatus(KernelError{}, "adding X", "u32").ok());
}

TEST(TcObjectTextTest, NamesObjectsInTcSpelling) {
  plan::TreeQdisc root{0xCA000000, plan::kRootParent, plan::HtbQdisc{}};
  plan::TreeQdisc leaf{0x10050000, 0xCA000005, plan::NetemQdisc{}};
  plan::TreeQdisc ingress{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}};
  plan::HtbClass cls;
  cls.classid = 0xCA000005;
  plan::U32Classifier filter{0xCA000000, 1002, plan::FilterProtocol::kIp, 0xCA000005, {}};
  plan::RedirectFilter redirect;
  redirect.to_device = "cnifb0";
  const struct {
    plan::TcObject object;
    const char* kind;
    const char* text;
  } cases[] = {
      {root, "htb", "htb qdisc ca00:"},
      {leaf, "netem", "netem qdisc 1005: under ca00:5"},
      {ingress, "ingress", "ingress qdisc ffff:"},
      {cls, "htb", "htb class ca00:5"},
      {filter, "u32", "u32 filter prio 1002 protocol ip on ca00:"},
      {redirect, "u32", "redirect filter prio 1 on ffff: (to cnifb0)"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(TcObjectKind(c.object), c.kind);
    EXPECT_EQ(DescribeTcObject(c.object), c.text);
  }
}

}  // namespace
}  // namespace chaosnet::netlink
